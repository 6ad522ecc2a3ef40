"""Templates to responses: one Jinja2 environment (autoescaping on), the filters pages share,
and the headers every page carries (a CSP that allows nothing but this origin)."""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from typing import Any

import jinja2

from broker.api.auth import Role
from broker.api.decorators.common import timestamp
from broker.api.requests import BrokerRequest
from broker.api.responses import HalResponse
from broker.ui import fragments, status, urls
from broker.ui.time_ago import ago

HTML = "text/html; charset=utf-8"
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-cache, no-store, must-revalidate",
    "Vary": "Accept",
}


def short(value: str | None, length: int = 14) -> str:
    """A long version number cut to fit a table cell (the whole number goes in its title)."""
    if value is None:
        return ""
    return value if len(value) <= length else value[: length - 1] + "…"


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("broker.ui", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        auto_reload=False,  # packaged templates never change while the broker runs: no stat per page
    )
    env.filters["ago"] = ago
    env.filters["iso"] = lambda value: timestamp(value) if isinstance(value, datetime) else ""
    env.filters["short"] = short
    env.filters["pretty_json"] = lambda value: json.dumps(value, indent=2, ensure_ascii=False, default=str)
    env.globals["urls"] = urls
    env.globals["status"] = status
    env.globals["shown"] = fragments.shown
    env.globals["when"] = fragments.when
    env.globals["labels"] = fragments.labels
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def page(request: BrokerRequest, template: str, *, title: str, status_code: int = 200, **context: Any) -> HalResponse:
    """A full page: the layout with navigation, `title`, and the page's own content."""
    can_write = request.role is Role.WRITE
    html = render(template, title=title, base=request.links.base, url=request.links.url, can_write=can_write, **context)
    return HalResponse(status_code, None, dict(PAGE_HEADERS), HTML, raw=html.encode("utf-8"))


def redirect(request: BrokerRequest, path: str) -> HalResponse:
    """A 303 to another page (a form's GET turned into the canonical URL)."""
    return HalResponse(303, None, {"Location": request.links.url(path), **PAGE_HEADERS}, HTML, raw=b"")


def render_error(response: HalResponse, base_url: str) -> HalResponse:
    body = response.body if isinstance(response.body, dict) else {}
    errors = body.get("errors", [])
    messages = (
        [f"{key}: {'; '.join(value)}" for key, value in errors.items()] if isinstance(errors, dict) else list(errors)
    )
    html = render(
        "error.html",
        title=f"Error {response.status}",
        base=base_url,
        url=lambda path: base_url + path,
        can_write=False,
        status_code=response.status,
        messages=[str(message) for message in messages],
    )
    headers = {**response.headers, **PAGE_HEADERS}
    return HalResponse(response.status, None, headers, HTML, raw=html.encode("utf-8"))
