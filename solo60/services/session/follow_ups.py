"""What follows a change to a session (its domain events, refunds, releasing a lapsed hold), recorded in the outbox.

Each function here is called inside the transaction of the change it follows, so the change and
its follow-ups are committed together or not at all; the relay (`deliveries.py`) carries them
out afterwards, retrying while a service is down; the events are published on the bus and the
communication service mails from them (`session_events.py`). Message ids derive from the session (and the
guest or waiting-list entry), so recording a follow-up twice records it once, and the key each
delivery carries (`outbox-<message id>`) makes a redelivery harmless at the target.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from solo60.contracts.events.session import (
    GUEST_INVITED,
    SESSION_APPROVED,
    SESSION_BOOKED,
    SESSION_CANCELLED,
    SESSION_REJECTED,
    WAITING_LIST_SPOT_OPENED,
)
from solo60.contracts.session import SessionStatus
from solo60.services.kit.outbox import enqueue, forget
from solo60.services.session import session_events, storage
from solo60.services.session.storage import GuestRow, SessionRow

REFUND_CREDITS = "refund_credits"
RELEASE_RESERVATION = "release_reservation"

_NAMESPACE = uuid.UUID("6f1d3c9a-0b7e-4f4e-9a51-5e55104a7c60")


def message_id(purpose: str, *parts: str) -> str:
    """`<purpose>-<uuid5 of the parts>`: stable for one action, and within the outbox's 64 characters."""
    return f"{purpose}-{uuid.uuid5(_NAMESPACE, '/'.join(parts))}"


# -- after each change -----------------------------------------------------------------------


async def after_booking(session: AsyncSession, row: SessionRow, *, noise_warning: bool) -> None:
    """The booking is announced (the gym admin is asked when it awaits approval); a confirmed one invites the guests."""
    await session_events.record(
        session,
        SESSION_BOOKED,
        row,
        message_id=message_id("session-booked", row.id),
        status=row.status,
        guests=[session_events.guest_facts(guest) for guest in row.guests],
        noiseWarning=noise_warning,
    )
    if row.status != SessionStatus.PENDING_APPROVAL.value:
        await invite_guests(session, row)


async def after_approval(session: AsyncSession, row: SessionRow) -> None:
    await session_events.record(session, SESSION_APPROVED, row, message_id=message_id("session-approved", row.id))
    await invite_guests(session, row)


async def after_rejection(session: AsyncSession, row: SessionRow, reason: str | None) -> None:
    await refund(session, row)
    await session_events.record(
        session, SESSION_REJECTED, row, message_id=message_id("session-rejected", row.id), **_reason(reason)
    )
    await tell_the_waiting_list(session, row)


async def after_cancellation(
    session: AsyncSession, row: SessionRow, *, guests_were_invited: bool, reason: str | None
) -> None:
    """Refund, tell the guests (only those who were invited: a pending session's were not yet), free the slot."""
    await refund(session, row)
    guests = [session_events.guest_facts(guest) for guest in row.guests] if guests_were_invited else []
    await session_events.record(
        session,
        SESSION_CANCELLED,
        row,
        message_id=message_id("session-cancelled", row.id),
        guestsToTell=guests,
        **_reason(reason),
    )
    await tell_the_waiting_list(session, row)


async def invite_guests(session: AsyncSession, row: SessionRow) -> None:
    for guest in row.guests:
        await invite_guest(session, row, guest)


async def invite_guest(session: AsyncSession, row: SessionRow, guest: GuestRow) -> None:
    await session_events.record(
        session,
        GUEST_INVITED,
        row,
        message_id=message_id("guest-invitation", row.id, guest.id),
        guest=session_events.guest_facts(guest),
    )


async def tell_the_waiting_list(session: AsyncSession, row: SessionRow) -> None:
    """Everyone waiting for the slot hears it is free, once."""
    for entry in await storage.waiting_to_notify(session, row.id):
        await session_events.record(
            session,
            WAITING_LIST_SPOT_OPENED,
            row,
            message_id=message_id("spot-available", row.id, entry.id),
            waitingUserId=entry.user_id,
        )
        entry.notified_at = row.updated_at


async def refund(session: AsyncSession, row: SessionRow) -> None:
    """Give the session's credits back; the key derives from the session, so it is paid back at most once."""
    if row.price_credits > 0:
        await refund_credits(session, row.user_id, row.id, row.price_credits, purpose="refund")


async def refund_credits(
    session: AsyncSession, user_id: str, session_id: str, amount: int, *, purpose: str, only_if_debited: bool = False
) -> None:
    """`only_if_debited`: a refusal because nothing was debited is the expected outcome, not a failure."""
    payload = {"userId": user_id, "sessionId": session_id, "amount": amount, "onlyIfDebited": only_if_debited}
    await enqueue(session, storage.outbox, REFUND_CREDITS, payload, message_id=message_id(purpose, session_id))


async def release_if_unpaid(session: AsyncSession, key: str, session_id: str, *, at: datetime) -> None:
    """Free the slot at `at` unless the booking was paid for by then (the payment service was unreachable)."""
    identifier = message_id("release", session_id)
    payload = {"idempotencyKey": key, "sessionId": session_id}
    await enqueue(session, storage.outbox, RELEASE_RESERVATION, payload, message_id=identifier, not_before=at)


async def hold_settled(session: AsyncSession, session_id: str) -> None:
    """The hold was paid for or released: its pending release is not needed any more."""
    await forget(session, storage.outbox, message_id("release", session_id))


def _reason(reason: str | None) -> dict[str, str]:
    return {"reason": reason} if reason else {}
