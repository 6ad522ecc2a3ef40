"""Publishing an event: into the outbox with the change that caused it, then onto the bus by the relay.

`publish_later` runs inside the producer's transaction, so the change and its event are
committed together or not at all; the outbox message id is the event's message id, so a
retried command records the event once, and every redelivery carries the same id. The relay
hands each `publish_event` message to `EventTarget`, which returns once the broker confirmed it;
up to `PUBLISH_IN_FLIGHT` publishes share the channel at once, their confirms awaited together.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from solo60 import correlation
from solo60.contracts.events import Envelope, EventContract
from solo60.contracts.events.envelope import new_envelope
from solo60.services.kit.events.bus import EventBus, NoSubscriber
from solo60.services.kit.outbox import OutboxMessage, Send, TargetUnavailable, enqueue

PUBLISH_EVENT = "publish_event"
PUBLISH_IN_FLIGHT = 50
"""Events published before their confirms are awaited: one relay batch, two commits for all of them."""

P = TypeVar("P", bound=BaseModel)


def trace_context() -> str | None:
    """The W3C `traceparent` of the current span, if tracing is on (so the consumer's work joins the trace)."""
    from opentelemetry import propagate

    carrier: dict[str, Any] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent")


def envelope_for(contract: EventContract[P], payload: P, *, message_id: str, occurred_at: datetime) -> Envelope:
    """The envelope of an event happening now, in the current request's correlation and trace."""
    return new_envelope(
        contract,
        payload,
        message_id=message_id,
        occurred_at=occurred_at,
        correlation_id=correlation.correlation_id.get(),
        traceparent=trace_context(),
    )


async def publish_later(
    session: AsyncSession,
    table: sa.Table,
    contract: EventContract[P],
    payload: P,
    *,
    message_id: str,
    occurred_at: datetime,
) -> Envelope:
    """Record the event in the outbox inside the caller's transaction; the relay publishes it."""
    envelope = envelope_for(contract, payload, message_id=message_id, occurred_at=occurred_at)
    await enqueue(session, table, PUBLISH_EVENT, envelope.model_dump(mode="json"), message_id=message_id)
    return envelope


class EventTarget:
    """The relay's target for `publish_event`: the bus, connected once per pass that needs it."""

    def __init__(self, bus: EventBus, *, in_flight: int = PUBLISH_IN_FLIGHT) -> None:
        self.bus = bus
        self.in_flight = in_flight
        """Publishes the relay may have under way together (each awaits its own publisher confirm)."""

    @asynccontextmanager
    async def sender(self) -> AsyncIterator[Send]:
        try:
            await self.bus.connect()
        except Exception as error:
            raise TargetUnavailable(f"the message broker is unavailable: {error}") from error

        async def send(message: OutboxMessage) -> None:
            envelope = Envelope.model_validate(message.payload)
            try:
                await self.bus.publish(envelope)
            except NoSubscriber:
                raise  # retried after a backoff: the consumer has not declared its queue yet
            except Exception as error:
                raise TargetUnavailable(f"the message broker did not confirm {envelope.name}: {error}") from error

        yield send
