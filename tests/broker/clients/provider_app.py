"""A tiny live provider for verifier tests: users by id, and a state-change endpoint.

`broken = True` makes it answer with the wrong type, so a verification fails for real.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn
from fastapi import FastAPI


@dataclass
class ProviderControl:
    url: str = ""
    broken: bool = False


def build_provider(control: ProviderControl) -> FastAPI:
    app = FastAPI()

    @app.get("/users/{user_id}")
    def get_user(user_id: int) -> dict[str, Any]:
        return {"id": str(user_id) if control.broken else user_id, "name": "Alice"}

    @app.get("/orders")
    def list_orders() -> list[dict[str, Any]]:
        return [{"id": 1}]

    @app.post("/_pact/provider-states")
    def provider_state(body: dict[str, Any]) -> dict[str, Any]:
        return {}

    return app


@contextmanager
def running_provider() -> Iterator[ProviderControl]:
    control = ProviderControl()
    server = uvicorn.Server(uvicorn.Config(build_provider(control), host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("provider did not start")
        time.sleep(0.01)
    control.url = f"http://localhost:{server.servers[0].sockets[0].getsockname()[1]}"
    try:
        yield control
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def user_interaction(description: str = "a request for user 1", state: str = "user 1 exists") -> dict[str, Any]:
    return {
        "type": "Synchronous/HTTP",
        "description": description,
        "providerStates": [{"name": state}],
        "request": {"method": "GET", "path": "/users/1"},
        "response": {
            "status": 200,
            "headers": {"Content-Type": ["application/json"]},
            "body": {"content": {"id": 1, "name": "Alice"}, "contentType": "application/json", "encoded": False},
            "matchingRules": {"body": {"$.id": {"combine": "AND", "matchers": [{"match": "integer"}]}}},
        },
    }


def orders_interaction() -> dict[str, Any]:
    return {
        "type": "Synchronous/HTTP",
        "description": "a request for orders",
        "request": {"method": "GET", "path": "/orders"},
        "response": {"status": 200},
    }
