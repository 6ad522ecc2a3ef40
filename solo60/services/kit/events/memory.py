"""The in-process bus: the embedded default, so `solo60 services up` and the pipeline need no broker.

Services started together share one event loop (`kit/server.py`), so an exchange per loop and
name is the whole broker: each subscribed queue keeps its messages in memory, redelivers after
a handler raised (up to `max_deliveries`), and keeps dead letters for inspection. Nothing
survives the process; the outbox in each producer's database is what makes publishing
reliable, and its relay retries an event nobody has subscribed to yet (`NoSubscriber`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections import deque
from dataclasses import dataclass, field

from solo60.contracts.events import Envelope
from solo60.services.kit.events.bus import NoSubscriber, Rejected, Subscription

logger = logging.getLogger("solo60.services.events")

RETRY_PAUSE_SECONDS = 0.05


@dataclass
class InProcessQueue:
    """One consumer's queue: pending messages (with deliveries so far) and dead letters."""

    name: str
    events: set[str] = field(default_factory=set)
    pending: deque[tuple[Envelope, int]] = field(default_factory=deque)
    dead: list[Envelope] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def put(self, envelope: Envelope, deliveries: int = 0) -> None:
        self.pending.append((envelope, deliveries))
        self.arrived.set()


_EXCHANGES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, dict[str, InProcessQueue]]] = (
    weakref.WeakKeyDictionary()
)


def queues_of(exchange: str) -> dict[str, InProcessQueue]:
    """The queues bound to `exchange` in the running loop (shared by every bus of this process)."""
    loop = asyncio.get_running_loop()
    return _EXCHANGES.setdefault(loop, {}).setdefault(exchange, {})


class InProcessBus:
    def __init__(self, exchange: str) -> None:
        self.exchange = exchange
        self._consumers: list[asyncio.Task[None]] = []

    async def connect(self) -> None:
        return None

    async def publish(self, envelope: Envelope) -> None:
        queues = [queue for queue in queues_of(self.exchange).values() if envelope.name in queue.events]
        if not queues:
            raise NoSubscriber(f"no queue of {self.exchange!r} takes {envelope.name!r} yet")
        for queue in queues:
            queue.put(envelope.model_copy(deep=True))

    async def subscribe(self, subscription: Subscription) -> None:
        queue = queues_of(self.exchange).setdefault(subscription.queue, InProcessQueue(subscription.queue))
        queue.events |= set(subscription.events)
        self._consumers.append(
            asyncio.create_task(self._consume(queue, subscription), name=f"solo60-events-{subscription.queue}")
        )

    async def close(self) -> None:
        consumers, self._consumers = self._consumers, []
        for task in consumers:
            task.cancel()
        for task in consumers:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _consume(self, queue: InProcessQueue, subscription: Subscription) -> None:
        while True:
            while not queue.pending:
                queue.arrived.clear()
                await queue.arrived.wait()
            envelope, deliveries = queue.pending.popleft()
            deliveries += 1
            try:
                await subscription.handler(envelope)
            except asyncio.CancelledError:
                queue.pending.appendleft((envelope, deliveries - 1))  # not acknowledged: it stays queued
                raise
            except Rejected as refusal:
                logger.warning("dead-lettered %s %s: %s", envelope.name, envelope.message_id, refusal)
                queue.dead.append(envelope)
            except Exception:
                if deliveries >= subscription.max_deliveries:
                    logger.exception(
                        "dead-lettered %s %s after %d deliveries", envelope.name, envelope.message_id, deliveries
                    )
                    queue.dead.append(envelope)
                else:
                    logger.warning("redelivering %s %s", envelope.name, envelope.message_id, exc_info=True)
                    queue.put(envelope, deliveries)
                    await asyncio.sleep(RETRY_PAUSE_SECONDS * deliveries)
