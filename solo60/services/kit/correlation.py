"""`x-correlation-id`: taken from the caller or generated, set for the request, echoed back."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from solo60 import correlation


class CorrelationMiddleware:
    """Outermost convention: everything below (logs, errors, outbound calls) sees the id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        received = _header(scope, b"x-correlation-id")
        chosen = received if correlation.acceptable(received) else correlation.new_correlation_id()
        id_token = correlation.correlation_id.set(chosen)
        caller_token = correlation.calling_service.set(_header(scope, b"x-service-name"))
        scope.setdefault("state", {})["correlation_id"] = chosen

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["x-correlation-id"] = chosen
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            correlation.correlation_id.reset(id_token)
            correlation.calling_service.reset(caller_token)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None
