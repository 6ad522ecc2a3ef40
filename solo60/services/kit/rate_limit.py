"""Rate limits per calling service, so one runaway caller cannot starve the others.

Counted per authenticated caller (`Caller.principal`): the service a key belongs to, or the
shared key itself, so new `x-service-name` values buy no new windows."""

from __future__ import annotations

import math
import time

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Receive, Scope, Send

from solo60.services.kit.auth import caller_of
from solo60.services.kit.errors import RateLimited


class RateLimitMiddleware:
    """A moving window per authenticated caller (see `kit.auth`)."""

    def __init__(self, app: ASGIApp, *, limit: str) -> None:
        self.app = app
        self.item = parse(limit)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith("/internal"):
            await self.app(scope, receive, send)
            return
        identity = caller_of(scope)
        caller = identity.principal if identity is not None else "anonymous"
        if not self.limiter.hit(self.item, caller):
            reset_at = self.limiter.get_window_stats(self.item, caller).reset_time
            retry_after = max(1, math.ceil(reset_at - time.time()))
            response = RateLimited(
                f"Rate limit of {self.item} exceeded for calling service {caller!r}; retry after {retry_after} s.",
                headers={"Retry-After": str(retry_after)},
            ).to_response()
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
