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

from solo60.services.kit.errors import RateLimited
from solo60.services.kit.service_keys import Caller


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


class RateLimit:
    """A moving window per authenticated caller (see `kit.auth`), checked by `ConventionsMiddleware`."""

    def __init__(self, limit: str, storage_uri: str | None = None, namespace: str = "") -> None:
        self.limit = limit
        self.shown = str(parse(limit))
        self.window = rate_window(limit, storage_uri, namespace=namespace)

    @staticmethod
    def guards(path: str) -> bool:
        """Whether a path counts against the limit: every `/internal` route."""
        return path.startswith("/internal")

    async def admit(self, identity: Caller | None) -> None:
        """Count the call; `RateLimited` (with `Retry-After`) when the caller is over its limit."""
        caller = identity.principal if identity is not None else "anonymous"
        wait = await self.window.hit(caller)
        if wait is not None:
            retry_after = max(1, math.ceil(wait))
            raise RateLimited(
                f"Rate limit of {self.shown} exceeded for calling service {caller!r}; retry after {retry_after} s.",
                headers={"Retry-After": str(retry_after)},
            )
