"""Load shedding: how many requests the broker works on at once, and what the rest are told.

A request that needs the database takes one of `max_concurrent_requests` slots (fewer than the
connection pool holds, so a request never waits on the pool itself). When all are busy it
queues; when the queue is full it is refused at once with 429, and when it has waited
`queue_timeout_seconds` without a slot it gets 503. Both carry `Retry-After`, an estimate of
when a slot will be free: the official clients (pact-broker-cli, the Rust verifier) retry 5xx
and 429 and honour it, so a burst of CI jobs slows down instead of failing.

Why two statuses: 429 says "you came too fast" before any waiting (the queue is full, a client
should back off); 503 says "I could not get to you in time" (the broker or its database is
slow). A load balancer can count the two apart.
"""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import anyio

from broker.config import LoadLimits


@dataclass(frozen=True)
class Shed:
    """The broker refused a request: the status, the reason to show and the seconds to wait."""

    status: int
    message: str
    retry_after: int


BUSY = "The broker is busy and could not take this request in time; retry later"
FULL = "The broker has too many requests waiting; retry later"


class Admission:
    def __init__(self, limits: LoadLimits) -> None:
        self.limits = limits
        self._semaphore: anyio.Semaphore | None = None  # made inside the server's event loop
        self._waiting = 0
        self._average_seconds = 0.05  # smoothed request duration, for Retry-After

    @property
    def _slots(self) -> anyio.Semaphore:
        if self._semaphore is None:
            self._semaphore = anyio.Semaphore(self.limits.max_concurrent_requests)
        return self._semaphore

    @property
    def waiting(self) -> int:
        """Requests queued for a slot now."""
        return self._waiting

    @property
    def busy(self) -> int:
        """Slots in use now."""
        return self.limits.max_concurrent_requests - int(self._slots.value)

    def retry_after(self) -> int:
        """Seconds until the queue ahead of a newcomer has likely drained (at least 1)."""
        rounds = (self._waiting + 1) / self.limits.max_concurrent_requests
        return max(1, math.ceil(rounds * self._average_seconds))

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[Shed | None]:
        """Yields None while holding a slot, or the refusal to send instead."""
        slots = self._slots
        if slots.value > 0 and self._waiting == 0:
            slots.acquire_nowait()  # a free slot and nobody ahead: no timer to arm (most requests)
        else:
            if slots.value == 0 and self._waiting >= self.limits.max_queued_requests:
                yield Shed(429, FULL, self.retry_after())
                return
            self._waiting += 1
            try:
                with anyio.move_on_after(self.limits.queue_timeout_seconds) as scope:
                    await slots.acquire()
            finally:
                self._waiting -= 1
            if scope.cancelled_caught:
                yield Shed(503, BUSY, self.retry_after())
                return
        started = time.monotonic()
        try:
            yield None
        finally:
            slots.release()
            elapsed = time.monotonic() - started
            self._average_seconds = 0.9 * self._average_seconds + 0.1 * elapsed
