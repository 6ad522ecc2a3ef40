"""The gym admin's decision: an approval confirms the booking and invites the guests; a rejection refunds it."""

from __future__ import annotations

from tests.flows.session.stack import Stack
from tests.flows.session.world import (
    ADMIN,
    GUEST_EMAIL,
    GYM_NAME,
    MEMBER,
    MEMBER_EMAIL,
    MEMBER_NAME,
    PRICE,
    SLOT_LOCAL,
    balance_becomes,
    booked,
    command,
    gym,
    ledger,
    member,
    session,
    waiting,
)
from tests.helpers import assert_error


async def test_an_approval_confirms_the_session_tells_the_member_and_invites_the_guests(any_stack: Stack) -> None:
    stack = any_stack
    await gym(stack, requiresApproval=True)
    await member(stack)
    booking = await booked(stack, guests=[{"email": GUEST_EMAIL}])

    approved = await command(stack, booking["id"], "approve", {"adminUserId": ADMIN})

    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "CONFIRMED"
    assert approved.json()["approvedAt"]
    assert await session(stack, booking["id"]) == approved.json()
    told = await stack.mail_to(MEMBER_EMAIL, "approved")
    assert told.subject == f"Your session at {GYM_NAME} is approved"
    assert f"Hello {MEMBER_NAME}" in told.body
    assert SLOT_LOCAL in told.body
    invitation = await stack.mail_to(GUEST_EMAIL, "invited you")
    assert MEMBER_NAME in invitation.subject

    again = await command(stack, booking["id"], "approve", {"adminUserId": ADMIN})
    assert again.json() == approved.json()
    assert (
        "only a session PENDING_APPROVAL"
        in assert_error(await command(stack, booking["id"], "reject", {"adminUserId": ADMIN}), 409, "CONFLICT").message
    )
    assert len(stack.mails_to(MEMBER_EMAIL)) == 1
    assert await ledger(stack, MEMBER) == [("DEBIT", PRICE, booking["id"])]


async def test_a_rejection_cancels_refunds_explains_and_frees_the_slot_for_who_waits(any_stack: Stack) -> None:
    stack = any_stack
    await gym(stack, requiresApproval=True)
    await member(stack, credits=30)
    await waiting(stack, "member-2", email="alan@example.com")
    booking = await booked(stack, guests=[{"email": GUEST_EMAIL}])
    joined = await command(stack, booking["id"], "waiting-list", {"userId": "member-2"})
    assert joined.status_code == 201, joined.text

    reason = "The gym is closed for a private event."
    rejected = await command(stack, booking["id"], "reject", {"adminUserId": ADMIN, "reason": reason})

    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["status"] == "CANCELLED"
    assert rejected.json()["rejectedAt"]
    assert rejected.json()["cancellationReason"] == reason
    told = await stack.mail_to(MEMBER_EMAIL, "not approved")
    assert f"Reason: {reason}" in told.body
    spot = await stack.mail_to("alan@example.com", "spot opened up")
    assert "Hello Waiting member-2" in spot.body
    assert SLOT_LOCAL in spot.body
    await balance_becomes(stack, 30)
    assert await ledger(stack, MEMBER) == [("DEBIT", PRICE, booking["id"]), ("REFUND", PRICE, booking["id"])]
    assert stack.mails_to(GUEST_EMAIL) == []  # never invited, so not told either

    assert (await command(stack, booking["id"], "reject", {"adminUserId": ADMIN})).json() == rejected.json()
    assert (
        "was rejected"
        in assert_error(await command(stack, booking["id"], "approve", {"adminUserId": ADMIN}), 409, "CONFLICT").message
    )


async def test_only_the_gyms_admin_or_a_platform_admin_decides(stack: Stack) -> None:
    await gym(stack, requiresApproval=True)
    await member(stack)
    await stack.state("user", "a user holds a role", userId="other-admin", role="GYM_ADMIN")
    await stack.state("user", "a user holds a role", userId="platform-admin", role="PLATFORM_ADMIN")
    first = await booked(stack)

    for who in (MEMBER, "other-admin", "nobody"):
        refused = await command(stack, first["id"], "approve", {"adminUserId": who})
        assert who in assert_error(refused, 403, "FORBIDDEN").message
    assert (await session(stack, first["id"]))["status"] == "PENDING_APPROVAL"

    decided = await command(stack, first["id"], "approve", {"adminUserId": "platform-admin"})
    assert decided.json()["status"] == "CONFIRMED"
    assert_error(await command(stack, "s-404", "approve", {"adminUserId": ADMIN}), 404, "NOT_FOUND")


async def test_a_session_that_never_awaited_approval_cannot_be_decided(stack: Stack) -> None:
    await gym(stack)
    await member(stack)
    booking = await booked(stack)

    refused = await command(stack, booking["id"], "approve", {"adminUserId": ADMIN})

    assert "is CONFIRMED" in assert_error(refused, 409, "CONFLICT").message
