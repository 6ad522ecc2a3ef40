"""What every event carries around its payload, and how an event is declared.

The payload is what consumers read; the envelope is what delivery needs: a message id (the
same on every redelivery, so consumers drop duplicates by it), the correlation id of the
request that caused the event, the W3C `traceparent` of that request, and when it happened.
An event's name doubles as its routing key (`session.booked`); its version changes only when
a payload change would break a consumer.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

from solo60.contracts.models import ResponseModel, Timestamp, WireModel

P = TypeVar("P", bound=BaseModel)


class EventPayload(ResponseModel):
    """A payload: camelCase on the wire; a consumer ignores fields it does not know (tolerant reader)."""


@dataclass(frozen=True)
class EventContract(Generic[P]):
    """One event: its name (and routing key), version, producer, payload model and what it means."""

    name: str
    version: int
    producer: str
    payload: type[P]
    summary: str

    @property
    def routing_key(self) -> str:
        return self.name

    def parse(self, body: bytes | str | dict[str, Any]) -> P:
        """The payload from a message body; raises pydantic's `ValidationError` when it breaks the contract."""
        if isinstance(body, dict):
            return self.payload.model_validate(body)
        return self.payload.model_validate_json(body)

    def body(self, payload: P) -> dict[str, Any]:
        """The payload as it goes on the wire (JSON-ready, camelCase)."""
        return payload.model_dump(mode="json", by_alias=True)


class Envelope(WireModel):
    """One event as delivered: its identity and context, and the payload."""

    message_id: str = Field(default_factory=lambda: str(uuid.uuid4()), min_length=1, max_length=128)
    name: str
    version: int = Field(ge=1)
    producer: str
    occurred_at: Timestamp
    correlation_id: str | None = None
    traceparent: str | None = None
    payload: dict[str, Any]

    def headers(self) -> dict[str, str]:
        """The envelope as message metadata (AMQP headers, pact metadata); the payload is the body."""
        headers = {"eventName": self.name, "eventVersion": str(self.version), "producer": self.producer}
        headers["occurredAt"] = self.occurred_at.isoformat()
        if self.traceparent:
            headers["traceparent"] = self.traceparent
        return headers


class UnknownEvent(LookupError):
    """No contract declares this event name (a consumer dead-letters such a message)."""


EVENTS: dict[str, EventContract[Any]] = {}
"""Every declared event by name; complete once `catalogue.py` is imported."""


def declare(contract: EventContract[P]) -> EventContract[P]:
    """Register an event contract by name; a name declared twice is a programming error."""
    if contract.name in EVENTS:
        raise ValueError(f"event {contract.name!r} is declared twice")
    EVENTS[contract.name] = contract
    return contract


def new_envelope(
    contract: EventContract[P],
    payload: P,
    *,
    message_id: str,
    occurred_at: datetime,
    correlation_id: str | None = None,
    traceparent: str | None = None,
) -> Envelope:
    """The envelope of one occurrence of `contract`."""
    return Envelope(
        message_id=message_id,
        name=contract.name,
        version=contract.version,
        producer=contract.producer,
        occurred_at=occurred_at,
        correlation_id=correlation_id,
        traceparent=traceparent,
        payload=contract.body(payload),
    )
