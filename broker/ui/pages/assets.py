"""The CSS and JavaScript shipped inside the package, served from `/ui/static/`."""

from __future__ import annotations

from functools import cache
from importlib import resources

from broker.api.requests import BrokerRequest
from broker.api.responses import HalResponse
from broker.api.router import Access, Router
from broker.errors import NotFoundError

TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}


@cache
def _asset(name: str) -> bytes | None:
    if "/" in name or name.startswith(".") or not name.endswith(tuple(TYPES)):
        return None
    resource = resources.files("broker.ui") / "static" / name
    return resource.read_bytes() if resource.is_file() else None


def register(router: Router) -> None:
    @router.route(
        "GET", "/ui/static/{name}", summary="A packaged asset", tag="UI", access=Access.PUBLIC, transaction="none"
    )
    def get_asset(request: BrokerRequest) -> HalResponse:
        name = request.param("name")
        content = _asset(name)
        if content is None:
            raise NotFoundError(f"No asset named '{name}'")
        media = TYPES[name[name.rindex(".") :]]
        return HalResponse(
            200,
            None,
            {"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
            media,
            raw=content,
        )
