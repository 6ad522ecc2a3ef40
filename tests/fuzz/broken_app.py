"""A provider with one known defect, to prove the fuzz harness catches it and the baseline can cover it.

It serves its OpenAPI document where a service does, enforces the service key like a service,
and answers `GET /internal/things/{thingId}` with `"size": "big"` where its document promises
an integer: a response-schema violation (ST108) on every successful call, nothing else.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from solo60.environment import DEVELOPMENT_API_KEY

OPERATION = "GET /internal/things/{thingId}"
_ERROR = {"application/json": {"schema": {"type": "object", "required": ["error"]}}}
DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "A broken provider", "version": "1.0.0"},
    "paths": {
        "/internal/things/{thingId}": {
            "get": {
                "operationId": "get_thing",
                "parameters": [
                    {
                        "name": "thingId",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "pattern": "^[a-z0-9]{1,8}$"},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "The thing.",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["id", "size"],
                                    "properties": {"id": {"type": "string"}, "size": {"type": "integer"}},
                                }
                            }
                        },
                    },
                    "400": {"description": "Invalid id.", "content": _ERROR},
                    "401": {"description": "No or wrong key.", "content": _ERROR},
                },
            }
        }
    },
    "components": {"securitySchemes": {"ServiceApiKey": {"type": "apiKey", "in": "header", "name": "x-api-key"}}},
    "security": [{"ServiceApiKey": []}],
}


async def _document(_request: Request) -> Response:
    return JSONResponse(DOCUMENT)


async def _provider_states(_request: Request) -> Response:
    return JSONResponse({})  # like a service started for verification: states can be set up (there is no data)


async def _thing(request: Request) -> Response:
    if request.method != "GET":
        return JSONResponse({"error": "METHOD_NOT_ALLOWED"}, status_code=405, headers={"Allow": "GET"})
    if request.headers.get("x-api-key") != DEVELOPMENT_API_KEY:
        return JSONResponse({"error": "UNAUTHORIZED"}, status_code=401)
    thing_id = request.path_params["thingId"]
    if not (thing_id.isascii() and thing_id.isalnum() and thing_id.lower() == thing_id and 1 <= len(thing_id) <= 8):
        return JSONResponse({"error": "VALIDATION_ERROR"}, status_code=400)
    return JSONResponse({"id": thing_id, "size": "big"})  # the defect: the document says an integer


app = Starlette(
    routes=[
        Route("/internal/openapi.json", _document, methods=["GET"]),
        Route("/_pact/provider-states", _provider_states, methods=["POST"]),
        Route("/internal/things/{thingId}", _thing, methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]),
    ]
)


@contextmanager
def running_broken_app() -> Iterator[str]:
    """Serve the app on 127.0.0.1 on a free port; yield its base URL."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="error", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the broken app did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
