"""What follows a change to a session (mails, refunds, releasing a lapsed hold), recorded in the outbox.

Each function here is called inside the transaction of the change it follows, so the change and
its follow-ups are committed together or not at all; the relay (`deliveries.py`) carries them
out afterwards, retrying while a service is down. Message ids derive from the session (and the
guest or waiting-list entry), so recording a follow-up twice records it once, and the key each
delivery carries (`outbox-<message id>`) makes a redelivery harmless at the target.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from solo60.contracts.communication import TemplateKey
from solo60.contracts.session import SessionStatus
from solo60.services.kit.outbox import enqueue, forget
from solo60.services.session import storage
from solo60.services.session.storage import GuestRow, SessionRow, WaitingListRow

SEND_MAIL = "send_mail"
REFUND_CREDITS = "refund_credits"
RELEASE_RESERVATION = "release_reservation"

GYM_ADMIN: Mapping[str, Any] = {"gymAdmin": True}
"""A recipient resolved when the mail leaves: the gym's admin address, as the gym service has it then."""

_NAMESPACE = uuid.UUID("6f1d3c9a-0b7e-4f4e-9a51-5e55104a7c60")


def message_id(purpose: str, *parts: str) -> str:
    """`<purpose>-<uuid5 of the parts>`: stable for one action, and within the outbox's 64 characters."""
    return f"{purpose}-{uuid.uuid5(_NAMESPACE, '/'.join(parts))}"


# -- after each change -----------------------------------------------------------------------


async def after_booking(session: AsyncSession, row: SessionRow, *, noise_warning: bool) -> None:
    """A booking awaiting approval asks the gym admin; a confirmed one invites the guests."""
    if row.status == SessionStatus.PENDING_APPROVAL.value:
        guests = ", ".join(guest.name or guest.email for guest in row.guests) or "none"
        await _mail(
            session,
            message_id("approval-request", row.id),
            TemplateKey.SESSION_APPROVAL_REQUEST,
            GYM_ADMIN,
            row,
            variables={"sessionId": row.id, "guests": guests},
        )
    else:
        await invite_guests(session, row)
    if noise_warning:
        await _mail(session, message_id("noise-warning", row.id), TemplateKey.NOISE_WARNING, _member(row), row)


async def after_approval(session: AsyncSession, row: SessionRow) -> None:
    await _mail(session, message_id("session-approved", row.id), TemplateKey.SESSION_APPROVED, _member(row), row)
    await invite_guests(session, row)


async def after_rejection(session: AsyncSession, row: SessionRow, reason: str | None) -> None:
    await refund(session, row)
    await _mail(
        session,
        message_id("session-rejected", row.id),
        TemplateKey.SESSION_REJECTED,
        _member(row),
        row,
        variables=_reason(reason),
    )
    await tell_the_waiting_list(session, row)


async def after_cancellation(
    session: AsyncSession, row: SessionRow, *, guests_were_invited: bool, reason: str | None
) -> None:
    """Refund, tell the guests (only those who were invited: a pending session's were not yet), free the slot."""
    await refund(session, row)
    if guests_were_invited:
        for guest in row.guests:
            await _mail(
                session,
                message_id("guest-cancellation", row.id, guest.id),
                TemplateKey.SESSION_CANCELLED,
                {"email": guest.email},
                row,
                variables={**_greeting(guest), **_reason(reason)},
            )
    await tell_the_waiting_list(session, row)


async def invite_guests(session: AsyncSession, row: SessionRow) -> None:
    for guest in row.guests:
        await invite_guest(session, row, guest)


async def invite_guest(session: AsyncSession, row: SessionRow, guest: GuestRow) -> None:
    await _mail(
        session,
        message_id("guest-invitation", row.id, guest.id),
        TemplateKey.GUEST_INVITATION,
        {"email": guest.email},
        row,
        variables=_greeting(guest),
    )


async def tell_the_waiting_list(session: AsyncSession, row: SessionRow) -> None:
    """Everyone waiting for the slot hears it is free, once."""
    for entry in await storage.waiting_to_notify(session, row.id):
        await _spot_available(session, row, entry)
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


# -- the mail payload ------------------------------------------------------------------------


async def _mail(
    session: AsyncSession,
    identifier: str,
    template: TemplateKey,
    to: Mapping[str, Any],
    row: SessionRow,
    *,
    variables: Mapping[str, str] | None = None,
) -> None:
    """The gym's name, the local start time and the member's name are looked up when the mail leaves."""
    payload = {
        "templateKey": template.value,
        "to": dict(to),
        "gymId": row.gym_id,
        "startsAt": row.starts_at.isoformat(),
        "memberId": row.user_id,
        "variables": dict(variables or {}),
    }
    await enqueue(session, storage.outbox, SEND_MAIL, payload, message_id=identifier)


async def _spot_available(session: AsyncSession, row: SessionRow, entry: WaitingListRow) -> None:
    await _mail(
        session,
        message_id("spot-available", row.id, entry.id),
        TemplateKey.SPOT_AVAILABLE,
        {"userId": entry.user_id},
        row,
    )


def _member(row: SessionRow) -> dict[str, str]:
    return {"userId": row.user_id}


def _greeting(guest: GuestRow) -> dict[str, str]:
    return {"name": guest.name} if guest.name else {}


def _reason(reason: str | None) -> dict[str, str]:
    return {"reason": reason} if reason else {}
