"""The in-process bus: the embedded default, so `solo60 services up` and the pipeline need no broker.

One exchange per name for the whole process (services started separately run in threads
with loops of their own, `kit/server.py`): each subscribed queue keeps its messages in
memory, redelivers after a handler raised (up to `max_deliveries`) and keeps dead letters for
inspection. A queue lives while its consumer does: publishing an event no running consumer
takes raises `NoSubscriber`, and the producer's outbox keeps the event and tries again, so
a consumer that starts later still gets it. What a stopping consumer had not yet handled is
lost with it; the durable transport is RabbitMQ (`SOLO60_AMQP_URL`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections import deque
from dataclasses import dataclass, field

from solo60.contracts.events import Envelope
from solo60.services.kit.events.bus import NoSubscriber, Rejected, Subscription

logger = logging.getLogger("solo60.services.events")

RETRY_PAUSE_SECONDS = 0.05


@dataclass(eq=False)
class _Waiter:
    """One consumer, woken on its own loop."""

    loop: asyncio.AbstractEventLoop
    arrived: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class InProcessQueue:
    """A consumer's queue (its replicas compete for it): pending messages with deliveries so far, dead letters."""

    name: str
    events: frozenset[str]
    pending: deque[tuple[Envelope, int]] = field(default_factory=deque)
    dead: list[Envelope] = field(default_factory=list)
    waiters: list[_Waiter] = field(default_factory=list)

    def put(self, envelope: Envelope, deliveries: int = 0) -> None:
        """Thread-safe: the publisher may run on another loop."""
        with _LOCK:
            self.pending.append((envelope, deliveries))
            waiters = list(self.waiters)
        for waiter in waiters:
            waiter.loop.call_soon_threadsafe(waiter.arrived.set)

    def take(self) -> tuple[Envelope, int] | None:
        with _LOCK:
            return self.pending.popleft() if self.pending else None


_LOCK = threading.Lock()
_EXCHANGES: dict[str, dict[str, InProcessQueue]] = {}


def queues_of(exchange: str) -> dict[str, InProcessQueue]:
    """The queues bound to `exchange` in this process (a snapshot)."""
    with _LOCK:
        return dict(_EXCHANGES.get(exchange, {}))


class InProcessBus:
    def __init__(self, exchange: str) -> None:
        self.exchange = exchange
        self._consumers: list[tuple[InProcessQueue, _Waiter, asyncio.Task[None]]] = []

    async def connect(self) -> None:
        return None

    async def publish(self, envelope: Envelope) -> None:
        queues = [queue for queue in queues_of(self.exchange).values() if envelope.name in queue.events]
        if not queues:
            raise NoSubscriber(f"no running consumer of {self.exchange!r} takes {envelope.name!r}")
        for queue in queues:
            queue.put(envelope.model_copy(deep=True))

    async def subscribe(self, subscription: Subscription) -> None:
        waiter = _Waiter(asyncio.get_running_loop())
        with _LOCK:
            queues = _EXCHANGES.setdefault(self.exchange, {})
            queue = queues.setdefault(subscription.queue, InProcessQueue(subscription.queue, frozenset()))
            queue.events |= frozenset(subscription.events)
            queue.waiters.append(waiter)
        task = asyncio.create_task(self._consume(queue, waiter, subscription), name=f"solo60-events-{queue.name}")
        self._consumers.append((queue, waiter, task))

    async def close(self) -> None:
        """Stop consuming; the last consumer of a queue takes it (and what it still held) away."""
        consumers, self._consumers = self._consumers, []
        for queue, waiter, task in consumers:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            with _LOCK:
                queue.waiters.remove(waiter)
                last = not queue.waiters
                if last:
                    _EXCHANGES.get(self.exchange, {}).pop(queue.name, None)
            if last and queue.pending:
                logger.warning("in-process queue %s closed with %d unhandled events", queue.name, len(queue.pending))

    async def _consume(self, queue: InProcessQueue, waiter: _Waiter, subscription: Subscription) -> None:
        while True:
            waiter.arrived.clear()
            taken = queue.take()
            if taken is None:
                await waiter.arrived.wait()
                continue
            envelope, deliveries = taken
            deliveries += 1
            try:
                await subscription.handler(envelope)
            except asyncio.CancelledError:
                queue.put(envelope, deliveries - 1)  # not acknowledged: a competing consumer may take it
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
                    await asyncio.sleep(RETRY_PAUSE_SECONDS * deliveries)
                    queue.put(envelope, deliveries)
