"""What a service sees of the message broker: publish an envelope, subscribe a handler to event names.

Delivery is at least once on both transports: a handler that raises gets the message again
(up to `max_deliveries`, then it is dead-lettered), and a message is acknowledged only after
its handler returned, so a consumer killed mid-batch leaves its unacknowledged messages to be
delivered again. Handlers therefore drop duplicates by message id (`receiving.py`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from solo60.contracts.events import Envelope

EventHandler = Callable[[Envelope], Awaitable[None]]

DEFAULT_EXCHANGE = "solo60.events"
DEFAULT_MAX_DELIVERIES = 5
AMQP_URL_SETTING = "SOLO60_AMQP_URL"
EXCHANGE_SETTING = "SOLO60_AMQP_EXCHANGE"


class NoSubscriber(Exception):
    """Nobody has subscribed to this event yet: the publisher keeps it and tries again later."""


class Rejected(Exception):
    """A message no redelivery can help (not an event, an unknown name, a payload outside its contract)."""


@dataclass(frozen=True)
class Subscription:
    """A named, durable queue of the events a consumer reads, and what it does with each."""

    queue: str
    events: Sequence[str]
    handler: EventHandler
    prefetch: int = 20
    max_deliveries: int = DEFAULT_MAX_DELIVERIES


class EventBus(Protocol):
    """The two transports' common face."""

    async def connect(self) -> None: ...

    async def publish(self, envelope: Envelope) -> None:
        """Returns once the broker has the message (publisher confirm); raises `NoSubscriber` or to retry."""
        ...

    async def subscribe(self, subscription: Subscription) -> None:
        """Start consuming (declares the queue, its bindings and its dead-letter queue)."""
        ...

    async def close(self) -> None: ...
