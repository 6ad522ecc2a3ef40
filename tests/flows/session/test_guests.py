"""Inviting guests: once per address, within the gym's limit, mailed once the session is confirmed."""

from __future__ import annotations

from tests.flows.session.stack import Stack
from tests.flows.session.world import (
    ADMIN,
    GUEST_EMAIL,
    GUEST_NAME,
    GYM_NAME,
    MEMBER_NAME,
    SLOT_LOCAL,
    booked,
    command,
    gym,
    member,
)
from tests.helpers import assert_error


async def test_a_guest_invited_to_a_confirmed_session_is_mailed_once(any_stack: Stack) -> None:
    stack = any_stack
    await gym(stack, maxGuests=2)
    await member(stack)
    booking = await booked(stack)

    invited = await command(stack, booking["id"], "guests", {"email": GUEST_EMAIL, "name": GUEST_NAME})
    again = await command(stack, booking["id"], "guests", {"email": GUEST_EMAIL.upper()})

    assert invited.status_code == 201, invited.text
    assert [(guest["email"], guest["name"]) for guest in invited.json()["guests"]] == [(GUEST_EMAIL, GUEST_NAME)]
    assert again.status_code == 200
    assert again.json()["guests"] == invited.json()["guests"]
    invitation = await stack.mail_to(GUEST_EMAIL, "invited you")
    assert invitation.subject == f"{MEMBER_NAME} invited you to train at {GYM_NAME}"
    assert f"Hello {GUEST_NAME}" in invitation.body
    assert SLOT_LOCAL in invitation.body

    assert (await command(stack, booking["id"], "guests", {"email": "alan@example.com"})).status_code == 201
    full = await command(stack, booking["id"], "guests", {"email": "edsger@example.com"})
    assert "at most 2 guests" in assert_error(full, 409, "CONFLICT").message
    await stack.mail_to("alan@example.com", "invited you")
    assert len(stack.mails_to(GUEST_EMAIL)) == 1
    assert stack.mails_to("edsger@example.com") == []


async def test_a_guest_of_a_session_awaiting_approval_is_invited_when_it_is_approved(stack: Stack) -> None:
    await gym(stack, requiresApproval=True)
    await member(stack)
    booking = await booked(stack)

    assert (await command(stack, booking["id"], "guests", {"email": GUEST_EMAIL})).status_code == 201
    await stack.mail_to("admin@fieldstreetgym.example", "Approval needed")
    assert stack.mails_to(GUEST_EMAIL) == []

    await command(stack, booking["id"], "approve", {"adminUserId": ADMIN})
    await stack.mail_to(GUEST_EMAIL, "invited you")


async def test_guests_are_refused_for_sessions_that_are_gone_and_addresses_that_are_not_addresses(
    stack: Stack,
) -> None:
    await gym(stack)
    await member(stack)
    booking = await booked(stack)
    await command(stack, booking["id"], "cancel")

    assert (
        "CANCELLED"
        in assert_error(await command(stack, booking["id"], "guests", {"email": GUEST_EMAIL}), 409, "CONFLICT").message
    )
    assert_error(await command(stack, "s-404", "guests", {"email": GUEST_EMAIL}), 404, "NOT_FOUND")
    for body in ({"email": "not an address"}, {"email": GUEST_EMAIL, "name": "Eve\r\nBcc: x@y.z"}, {}):
        assert_error(await command(stack, booking["id"], "guests", body), 400, "VALIDATION_ERROR")
