"""The session service's domain events: facts recorded with the change, the event built when it leaves.

A change (a booking, an approval, a cancellation...) records what the session service knows
then, in the same transaction (`record`): the session, the member, the start, and what the
event adds (its status and guests, the reason, the guest invited, who was waiting). When the
relay takes the message, it looks up what the event also carries so that its readers need
not ask back (the gym's name, time zone and admin address; the names of the member and of
whoever was waiting), exactly as it did when it composed the mails itself, builds the event
(`build`: the code message pacts verify) and publishes it. A lookup that fails is retried; a
gym or user that no longer exists fails the message for good.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from solo60.contracts.events import Envelope, EventContract, event_named
from solo60.contracts.events.envelope import new_envelope
from solo60.contracts.events.session import (
    GUEST_INVITED,
    SESSION_APPROVED,
    SESSION_BOOKED,
    SESSION_CANCELLED,
    SESSION_REJECTED,
    WAITING_LIST_SPOT_OPENED,
    Guest,
    GuestInvited,
    GymFacts,
    Person,
    SessionApproved,
    SessionBooked,
    SessionCancelled,
    SessionRejected,
    WaitingListSpotOpened,
)
from solo60.services.kit import enqueue, utc_now
from solo60.services.kit.events import trace_context
from solo60.services.session import storage
from solo60.services.session.storage import GuestRow, SessionRow

SESSION_EVENT = "session_event"
"""The outbox operation: build the event from its recorded facts, then publish it."""

NameOf = Callable[[str], Awaitable[str]]


def guest_facts(guest: GuestRow) -> dict[str, Any]:
    return Guest(guest_id=guest.id, email=guest.email, name=guest.name).model_dump(mode="json", by_alias=True)


async def record(
    session: AsyncSession, contract: EventContract[Any], row: SessionRow, *, message_id: str, **specifics: Any
) -> None:
    """Record the event's facts in the outbox, inside the change's transaction."""
    facts = {
        "event": contract.name,
        "occurredAt": utc_now().isoformat(),
        "traceparent": trace_context(),
        "sessionId": row.id,
        "gymId": row.gym_id,
        "memberId": row.user_id,
        "startsAt": row.starts_at.isoformat(),
        **specifics,
    }
    await enqueue(session, storage.outbox, SESSION_EVENT, facts, message_id=message_id)


def people_to_name(facts: Mapping[str, Any]) -> list[str]:
    """The users whose names the event carries."""
    return [facts["memberId"], *([facts["waitingUserId"]] if "waitingUserId" in facts else [])]


def build(facts: Mapping[str, Any], gym: GymFacts, names: Mapping[str, str]) -> tuple[EventContract[Any], BaseModel]:
    """The event from its recorded facts and what was looked up: the session service's event-building code."""
    contract = event_named(facts["event"])
    common: dict[str, Any] = {
        "session_id": facts["sessionId"],
        "gym": gym,
        "member": Person(user_id=facts["memberId"], name=names[facts["memberId"]]),
        "starts_at": datetime.fromisoformat(facts["startsAt"]),
    }
    payload: BaseModel
    if contract is SESSION_BOOKED:
        guests = [Guest.model_validate(guest) for guest in facts["guests"]]
        payload = SessionBooked(**common, status=facts["status"], guests=guests, noise_warning=facts["noiseWarning"])
    elif contract is SESSION_APPROVED:
        payload = SessionApproved(**common)
    elif contract is SESSION_REJECTED:
        payload = SessionRejected(**common, reason=facts.get("reason"))
    elif contract is SESSION_CANCELLED:
        guests = [Guest.model_validate(guest) for guest in facts["guestsToTell"]]
        payload = SessionCancelled(**common, reason=facts.get("reason"), guests_to_tell=guests)
    elif contract is GUEST_INVITED:
        payload = GuestInvited(**common, guest=Guest.model_validate(facts["guest"]))
    elif contract is WAITING_LIST_SPOT_OPENED:
        waiting = facts["waitingUserId"]
        payload = WaitingListSpotOpened(**common, waiting=Person(user_id=waiting, name=names[waiting]))
    else:
        raise ValueError(f"the session service does not publish {contract.name}")
    return contract, payload


def envelope_for(
    message_id: str,
    facts: Mapping[str, Any],
    contract: EventContract[Any],
    payload: BaseModel,
    correlation_id: str | None,
) -> Envelope:
    return new_envelope(
        contract,
        payload,
        message_id=message_id,
        occurred_at=datetime.fromisoformat(facts["occurredAt"]),
        correlation_id=correlation_id,
        traceparent=facts.get("traceparent"),
    )
