"""The session service's events, built for message-pact verification by the code that records and builds them.

Each builder runs the follow-up the service runs after that change (`follow_ups.py`) on the
session a provider state stored (`sessionId`, default `session-1`), reads the facts it
recorded, rolls the transaction back, and builds the event with `session_events.build`, the
code the relay runs when the event leaves. What the relay would look up in the gym and user
services (covered by session's HTTP pacts with them) comes from the state `the gym and the
members are known`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from solo60.contracts.events import Envelope, EventContract
from solo60.contracts.events.session import (
    GUEST_INVITED,
    SESSION_APPROVED,
    SESSION_BOOKED,
    SESSION_CANCELLED,
    SESSION_REJECTED,
    WAITING_LIST_SPOT_OPENED,
    GymFacts,
)
from solo60.services.kit.errors import ValidationFailed
from solo60.services.kit.events.provider_messages import ProviderMessages
from solo60.services.session import follow_ups, session_events, storage
from solo60.services.session.states import KnownToOthers
from solo60.services.session.storage import SessionRow

messages = ProviderMessages("session")

Record = Callable[[AsyncSession, SessionRow], Awaitable[None]]
REASON = "The gym is closed for a private event"


class _Recorded(Exception):
    def __init__(self, facts: dict[str, Any]) -> None:
        self.facts = facts


async def built(runtime: Any, params: dict[str, Any], event: EventContract[Any], record: Record) -> Envelope:
    lookups: KnownToOthers | None = getattr(runtime, "event_lookups", None)
    if lookups is None:
        raise ValidationFailed("Set up the provider state 'the gym and the members are known' first.")
    session_id = str(params.get("sessionId", "session-1"))
    try:
        async with runtime.db.write() as session:
            row = await storage.find_session(session, session_id)
            if row is None:
                raise ValidationFailed(f"No session {session_id!r}: set one up with a provider state first.")
            before = set((await session.execute(sa.select(storage.outbox.c.id))).scalars())
            await record(session, row)
            recorded = await session.execute(
                sa.select(storage.outbox.c.id, storage.outbox.c.payload).where(
                    storage.outbox.c.operation == session_events.SESSION_EVENT
                )
            )
            (facts, *_) = [
                item.payload for item in recorded if item.id not in before and item.payload["event"] == event.name
            ]
            raise _Recorded(facts)
    except _Recorded as done:
        facts = done.facts
    gym = GymFacts(
        gym_id=facts["gymId"], name=lookups.gym_name, timezone=lookups.timezone, admin_email=lookups.admin_email
    )
    names = {facts["memberId"]: lookups.member_name}
    if "waitingUserId" in facts:
        names[facts["waitingUserId"]] = lookups.waiting_name
    contract, payload = session_events.build(facts, gym, names)
    return session_events.envelope_for(f"pact-{event.name}", facts, contract, payload, correlation_id=None)


@messages.event(SESSION_BOOKED)
async def booked(runtime: Any, params: dict[str, Any]) -> Envelope:
    async def after_booking(session: AsyncSession, row: SessionRow) -> None:
        await follow_ups.after_booking(session, row, noise_warning=True)

    return await built(runtime, params, SESSION_BOOKED, after_booking)


@messages.event(SESSION_APPROVED)
async def approved(runtime: Any, params: dict[str, Any]) -> Envelope:
    return await built(runtime, params, SESSION_APPROVED, follow_ups.after_approval)


@messages.event(SESSION_REJECTED)
async def rejected(runtime: Any, params: dict[str, Any]) -> Envelope:
    async def after_rejection(session: AsyncSession, row: SessionRow) -> None:
        await follow_ups.after_rejection(session, row, REASON)

    return await built(runtime, params, SESSION_REJECTED, after_rejection)


@messages.event(SESSION_CANCELLED)
async def cancelled(runtime: Any, params: dict[str, Any]) -> Envelope:
    async def after_cancellation(session: AsyncSession, row: SessionRow) -> None:
        await follow_ups.after_cancellation(session, row, guests_were_invited=True, reason=REASON)

    return await built(runtime, params, SESSION_CANCELLED, after_cancellation)


@messages.event(GUEST_INVITED)
async def guest_invited(runtime: Any, params: dict[str, Any]) -> Envelope:
    return await built(runtime, params, GUEST_INVITED, follow_ups.invite_guests)


@messages.event(WAITING_LIST_SPOT_OPENED)
async def spot_opened(runtime: Any, params: dict[str, Any]) -> Envelope:
    return await built(runtime, params, WAITING_LIST_SPOT_OPENED, follow_ups.tell_the_waiting_list)
