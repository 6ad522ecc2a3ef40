"""Rate limits per calling service, so one runaway caller cannot starve the others.

Counted per authenticated caller (`Caller.principal`): the service a key belongs to, or the
shared key itself, so new `x-service-name` values buy no new windows.

The window is a moving one: a caller may make `limit` calls in any span of the limit's
period. By default it is counted in the process, on the event loop (`InLoopWindow`): the
`limits` library's in-memory storage expires its entries from a `threading.Timer` it starts
again every 10 ms while hits keep arriving, and starting that thread (waiting for it to run)
cost more than the request it guarded. Several workers or replicas share one count when
`SOLO60_RATE_LIMIT_STORAGE` names a Redis (`redis://host:6379/0`): `limits`' own asyncio
moving window over Redis (`SharedWindow`), atomic in Redis, one round trip a request.
"""

from __future__ import annotations

import math
import time
from collections import deque
from typing import Protocol

from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from starlette.types import ASGIApp, Receive, Scope, Send

from solo60.services.kit.auth import caller_of
from solo60.services.kit.errors import RateLimited


class Window(Protocol):
    async def hit(self, caller: str) -> float | None:
        """Count one call by `caller`; None if allowed, else the seconds until one would be."""
        ...


class InLoopWindow:
    """A moving window per caller kept in this process: each caller's recent call times, oldest first."""

    def __init__(self, item: RateLimitItem) -> None:
        self.limit = item.amount
        self.period = float(item.get_expiry())
        self._calls: dict[str, deque[float]] = {}

    async def hit(self, caller: str) -> float | None:
        now = time.monotonic()
        calls = self._calls.get(caller)
        if calls is None:
            calls = self._calls[caller] = deque()
        horizon = now - self.period
        while calls and calls[0] <= horizon:
            calls.popleft()
        if len(calls) >= self.limit:
            return calls[0] - horizon
        calls.append(now)
        return None


class SharedWindow:
    """The same moving window kept in Redis, so every worker and replica counts against one limit."""

    def __init__(self, item: RateLimitItem, storage_uri: str, namespace: str) -> None:
        self.item = item
        self.namespace = namespace
        uri = storage_uri if storage_uri.startswith("async+") else f"async+{storage_uri}"
        self.limiter = MovingWindowRateLimiter(storage_from_string(uri, implementation="redispy"))

    async def hit(self, caller: str) -> float | None:
        if await self.limiter.hit(self.item, self.namespace, caller):
            return None
        stats = await self.limiter.get_window_stats(self.item, self.namespace, caller)
        return stats.reset_time - time.time()


def rate_window(limit: str, storage_uri: str | None = None, *, namespace: str = "") -> Window:
    """The window for `limit` ("100/minute"): shared through `storage_uri` when given, else in this process.

    `namespace` (the service's name) keeps each service's count apart in a Redis they share.
    """
    item = parse(limit)
    if storage_uri:
        if not storage_uri.startswith(("redis://", "rediss://", "async+redis://", "async+rediss://")):
            raise ValueError(f"SOLO60_RATE_LIMIT_STORAGE must be a redis:// URL, not {storage_uri!r}")
        return SharedWindow(item, storage_uri, namespace)
    return InLoopWindow(item)


class RateLimitMiddleware:
    """A moving window per authenticated caller (see `kit.auth`)."""

    def __init__(self, app: ASGIApp, *, limit: str, storage_uri: str | None = None, namespace: str = "") -> None:
        self.app = app
        self.limit = limit
        self.window = rate_window(limit, storage_uri, namespace=namespace)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith("/internal"):
            await self.app(scope, receive, send)
            return
        identity = caller_of(scope)
        caller = identity.principal if identity is not None else "anonymous"
        wait = await self.window.hit(caller)
        if wait is not None:
            retry_after = max(1, math.ceil(wait))
            response = RateLimited(
                f"Rate limit of {parse(self.limit)} exceeded for calling service {caller!r}; "
                f"retry after {retry_after} s.",
                headers={"Retry-After": str(retry_after)},
            ).to_response()
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
