"""`/internal/docs`: the service's OpenAPI rendered by Swagger UI shipped with the package.

Every asset is served by the service itself (no CDN, no fonts from the internet), and the
Content-Security-Policy header keeps it that way.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; font-src 'self'; frame-ancestors 'none'"
)

_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title}</title>
  <link rel="icon" href="docs/assets/swagger-ui/favicon-32x32.png">
  <link rel="stylesheet" href="docs/assets/swagger-ui/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui" data-openapi-url="openapi.json"></div>
  <script src="docs/assets/swagger-ui/swagger-ui-bundle.js"></script>
  <script src="docs/assets/docs.js"></script>
</body>
</html>
"""


def docs_routes(title: str, document: Callable[[], dict[str, Any]]) -> list[BaseRoute]:
    """The docs page, its assets and the OpenAPI document, all under `/internal`.

    The document is rendered on its first request, not when the app is built: rendering every
    schema costs tens of milliseconds, which each app built in a test or a starting process paid.
    """
    page = _PAGE.format(title=f"{title} — internal API")

    @functools.cache
    def rendered() -> bytes:
        return json.dumps(document()).encode()

    async def openapi(_request: Request) -> Response:
        return Response(rendered(), media_type="application/json")

    async def docs(_request: Request) -> Response:
        return HTMLResponse(page, headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY})

    return [
        Route("/internal/openapi.json", openapi, methods=["GET"], include_in_schema=False),
        Route("/internal/docs", docs, methods=["GET"], include_in_schema=False),
        Mount("/internal/docs/assets", app=StaticFiles(directory=STATIC), name="docs-assets"),
    ]
