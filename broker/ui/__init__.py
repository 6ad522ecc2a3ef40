"""The broker's web UI: server-rendered pages on the same URLs as the API.

A browser (see `negotiation`) gets HTML from the page router; every other client gets the API,
exactly as before. Pages run inside the application's own auth and read transaction, use the
domain services for their data, and ship their CSS and JavaScript in the package.
"""

from __future__ import annotations

from broker.api.responses import HalResponse
from broker.api.router import Match, Router
from broker.errors import MethodNotAllowedError, NotFoundError
from broker.ui.negotiation import wants_page
from broker.ui.pages import build_page_router
from broker.ui.rendering import render_error

__all__ = ["UserInterface", "wants_page"]

ASSET_PREFIX = ["ui", "static"]
BADGES = (["badge"], ["badge.svg"])  # always the SVG, whatever a browser asks for


class UserInterface:
    def __init__(self) -> None:
        self.router: Router = build_page_router()

    def wants_page(self, headers: dict[str, str]) -> bool:
        return wants_page(headers)

    def match(self, method: str, segments: list[str], headers: dict[str, str]) -> Match | None:
        """The page (or packaged asset) for this request, or None to let the API answer."""
        is_asset = segments[:2] == ASSET_PREFIX
        if not is_asset and (method != "GET" or not wants_page(headers) or segments[-1:] in BADGES):
            return None
        try:
            return self.router.match(method, segments)
        except (NotFoundError, MethodNotAllowedError):
            return None

    def error_page(self, response: HalResponse, base_url: str) -> HalResponse:
        """The API's error answer, rendered for a person (same status and headers)."""
        return render_error(response, base_url)
