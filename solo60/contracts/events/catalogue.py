"""Every event contract, by name and by producer (importing this declares them all)."""

from __future__ import annotations

from typing import Any

from solo60.contracts.events import session, subscription
from solo60.contracts.events.envelope import EVENTS, EventContract, UnknownEvent

PRODUCERS = (session.PRODUCER, subscription.PRODUCER)


def event_named(name: str) -> EventContract[Any]:
    try:
        return EVENTS[name]
    except KeyError:
        raise UnknownEvent(f"no event is named {name!r}") from None


def events_of(producer: str) -> list[EventContract[Any]]:
    """The events one service publishes, in declaration order."""
    return [contract for contract in EVENTS.values() if contract.producer == producer]
