"""Cancelling: the session is CANCELLED at once, the credits come back once, guests and the waiting list hear of it."""

from __future__ import annotations

from tests.flows.session.stack import Stack
from tests.flows.session.world import (
    ADMIN,
    GUEST_EMAIL,
    GUEST_NAME,
    GYM_NAME,
    MEMBER,
    PRICE,
    SLOT,
    SLOT_LOCAL,
    balance_becomes,
    book,
    booked,
    command,
    gym,
    ledger,
    member,
    session,
    settled,
    waiting,
)
from tests.helpers import assert_error


async def test_a_cancellation_refunds_once_and_tells_the_guests_and_the_waiting_list(any_stack: Stack) -> None:
    stack = any_stack
    await gym(stack)
    await member(stack, credits=30)
    await waiting(stack, "member-2", email="alan@example.com")
    booking = await booked(stack, guests=[{"email": GUEST_EMAIL, "name": GUEST_NAME}])
    await command(stack, booking["id"], "waiting-list", {"userId": "member-2"})
    await stack.mail_to(GUEST_EMAIL, "invited you")

    cancelled = await command(stack, booking["id"], "cancel", {"reason": "I sprained my ankle."})

    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "CANCELLED"
    assert cancelled.json()["cancelledAt"]
    assert cancelled.json()["cancellationReason"] == "I sprained my ankle."
    assert await session(stack, booking["id"]) == cancelled.json()
    await balance_becomes(stack, 30)
    notice = await stack.mail_to(GUEST_EMAIL, "cancelled")
    assert notice.subject == f"Session at {GYM_NAME} on {SLOT_LOCAL} cancelled"
    assert f"Hello {GUEST_NAME}" in notice.body
    assert "Reason: I sprained my ankle." in notice.body
    await stack.mail_to("alan@example.com", "spot opened up")

    again = await command(stack, booking["id"], "cancel")
    assert again.json() == cancelled.json()
    await settled(stack)
    assert await ledger(stack, MEMBER) == [("DEBIT", PRICE, booking["id"]), ("REFUND", PRICE, booking["id"])]
    assert len(stack.mails_to(GUEST_EMAIL)) == 2  # the invitation and one cancellation
    assert len(stack.mails_to("alan@example.com")) == 1

    await member(stack, "member-2", email="alan@example.com", credits=30)
    assert (await book(stack, userId="member-2")).status_code == 201  # the slot is free again


async def test_a_session_awaiting_approval_is_refunded_but_its_uninvited_guests_are_not_mailed(stack: Stack) -> None:
    await gym(stack, requiresApproval=True)
    await member(stack, credits=30)
    booking = await booked(stack, guests=[{"email": GUEST_EMAIL}])

    cancelled = await command(stack, booking["id"], "cancel")

    assert cancelled.json()["status"] == "CANCELLED"
    assert cancelled.json()["cancellationReason"] is None
    await balance_becomes(stack, 30)
    await settled(stack)
    assert stack.mails_to(GUEST_EMAIL) == []
    assert (
        "is CANCELLED"
        in assert_error(await command(stack, booking["id"], "approve", {"adminUserId": ADMIN}), 409, "CONFLICT").message
    )


async def test_a_session_that_started_or_is_unknown_cannot_be_cancelled(stack: Stack) -> None:
    await stack.state("session", "a session exists", sessionId="s-past", startsAt="2020-01-06T10:00:00Z")
    await stack.state("session", "a session exists", sessionId="s-done", status="COMPLETED", startsAt=SLOT)

    assert "started" in assert_error(await command(stack, "s-past", "cancel"), 409, "CONFLICT").message
    assert "COMPLETED" in assert_error(await command(stack, "s-done", "cancel"), 409, "CONFLICT").message
    assert_error(await command(stack, "s-404", "cancel"), 404, "NOT_FOUND")
    assert_error(await command(stack, "s-past", "cancel", {"reason": "x" * 501}), 400, "VALIDATION_ERROR")
    assert (await session(stack, "s-past"))["status"] == "CONFIRMED"
