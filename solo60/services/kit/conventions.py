"""The conventions every request passes through, as one ASGI layer: correlation, access log, auth, rate limit.

They were four middlewares, each a coroutine call, a `send` wrapper and its own walk over the
headers per request; on a route whose handler reads one row that was a good share of the
request's CPU. Here the headers are read once, one `send` wrapper both stamps the
correlation id and notes the status for the access log, and the order is the one the four had:

1. correlation: the caller's `x-correlation-id` when acceptable, else a new one; set for
   everything below (logs, errors, outbound calls) and echoed on the response;
2. access log: one record per request, written whatever happens below (`access_log`);
3. service auth on `/internal` routes but their docs (`auth`): 401 without an accepted key;
4. the rate limit per authenticated caller on `/internal` routes (`rate_limit`): 429.
"""

from __future__ import annotations

import time

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from solo60 import correlation
from solo60.services.kit.access_log import log_access
from solo60.services.kit.auth import CALLER_SCOPE_KEY, ServiceAuth
from solo60.services.kit.errors import ServiceError
from solo60.services.kit.rate_limit import RateLimit
from solo60.services.kit.service_keys import Caller

_CORRELATION = b"x-correlation-id"
_SERVICE_NAME = b"x-service-name"
_API_KEY = b"x-api-key"


class ConventionsMiddleware:
    """Correlation, access log, service auth and rate limit of one service, in that order."""

    def __init__(self, app: ASGIApp, *, service: str, auth: ServiceAuth, rate_limit: RateLimit) -> None:
        self.app = app
        self.service = service
        self.auth = auth
        self.rate_limit = rate_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        received = claimed = presented = None
        for key, value in scope["headers"]:
            if key == _CORRELATION:
                received = value.decode("latin-1")
            elif key == _SERVICE_NAME:
                claimed = value.decode("latin-1")
            elif key == _API_KEY:
                presented = value
        chosen = received if correlation.acceptable(received) else correlation.new_correlation_id()
        id_token = correlation.correlation_id.set(chosen)
        caller_token = correlation.calling_service.set(claimed)
        scope.setdefault("state", {})["correlation_id"] = chosen
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["x-correlation-id"] = chosen
            await send(message)

        try:
            path: str = scope["path"]
            try:
                identity: Caller | None = None
                if self.auth.guards(path):
                    identity = self.auth.caller(presented, claimed)
                    scope[CALLER_SCOPE_KEY] = identity
                    # Logs and outbound calls see who the key says.
                    correlation.calling_service.set(identity.name)
                if self.rate_limit.guards(path):
                    await self.rate_limit.admit(identity)
            except ServiceError as refused:
                await refused.to_response()(scope, receive, send_with_id)
                return
            await self.app(scope, receive, send_with_id)
        finally:
            log_access(self.service, scope, status, started, correlation.calling_service.get(), chosen)
            correlation.correlation_id.reset(id_token)
            correlation.calling_service.reset(caller_token)
