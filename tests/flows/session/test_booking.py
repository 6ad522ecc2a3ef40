"""Booking across the real services: the member is checked, the slot priced and held, the credits taken, mails sent."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa

from solo60.contracts.errors import ErrorBody
from solo60.services.session.storage import BookingRequestRow, SessionRow, outbox
from tests.flows.session.stack import Stack
from tests.flows.session.world import (
    ADMIN_EMAIL,
    GUEST_EMAIL,
    GUEST_NAME,
    GYM_NAME,
    MEMBER,
    MEMBER_EMAIL,
    MEMBER_NAME,
    PRICE,
    SLOT,
    SLOT_LOCAL,
    balance,
    book,
    booked,
    gym,
    ledger,
    member,
    session,
)
from tests.helpers import assert_error


async def test_a_booking_is_confirmed_paid_for_and_announced_to_member_and_guests(any_stack: Stack) -> None:
    stack = any_stack
    await gym(stack, noiseSensitive=True)
    await member(stack, credits=30)

    booking = await booked(stack, guests=[{"email": GUEST_EMAIL, "name": GUEST_NAME}])

    assert booking["status"] == "CONFIRMED"
    assert (booking["startsAt"], booking["durationMinutes"], booking["priceCredits"]) == (SLOT, 60, PRICE)
    assert [guest["email"] for guest in booking["guests"]] == [GUEST_EMAIL]
    assert await session(stack, booking["id"]) == booking
    assert await balance(stack) == 30 - PRICE
    assert await ledger(stack, MEMBER) == [("DEBIT", PRICE, booking["id"])]

    warning = await stack.mail_to(MEMBER_EMAIL, "noise")
    assert warning.subject == f"Please keep the noise down at {GYM_NAME}"
    assert f"Hello {MEMBER_NAME}" in warning.body
    assert SLOT_LOCAL in warning.body
    invitation = await stack.mail_to(GUEST_EMAIL, "invited you")
    assert invitation.subject == f"{MEMBER_NAME} invited you to train at {GYM_NAME}"
    assert f"Hello {GUEST_NAME}" in invitation.body
    assert SLOT_LOCAL in invitation.body
    assert stack.mails_to(ADMIN_EMAIL) == []


async def test_at_a_gym_requiring_approval_the_booking_waits_and_the_admin_is_asked(any_stack: Stack) -> None:
    stack = any_stack
    await gym(stack, requiresApproval=True)
    await member(stack)

    booking = await booked(stack, guests=[{"email": GUEST_EMAIL}])

    assert booking["status"] == "PENDING_APPROVAL"
    assert await ledger(stack, MEMBER) == [("DEBIT", PRICE, booking["id"])]
    request = await stack.mail_to(ADMIN_EMAIL, "Approval needed")
    assert request.subject == f"Approval needed: {MEMBER_NAME} at {GYM_NAME} on {SLOT_LOCAL}"
    assert f"Hello {GYM_NAME} team" in request.body
    assert booking["id"] in request.body
    assert f"(guests: {GUEST_EMAIL})" in request.body
    assert stack.mails_to(GUEST_EMAIL) == []  # invited once the admin approves
    assert stack.mails_to(MEMBER_EMAIL) == []  # a plain gym: no noise warning


async def test_a_member_short_of_credits_is_told_the_price_and_shortfall_and_nothing_is_kept(any_stack: Stack) -> None:
    stack = any_stack
    await gym(stack)
    await member(stack, credits=4)

    refused = await book(stack, key="booking-short", guests=[{"email": GUEST_EMAIL}])

    error = assert_error(refused, 402, "INSUFFICIENT_CREDITS")
    assert f"costs {PRICE} credits" in error.message
    assert f"has 4, {PRICE - 4} short" in error.message
    assert await balance(stack) == 4
    assert await ledger(stack) == []
    assert await stack.rows("session", sa.select(SessionRow.id)) == []
    assert await stack.rows("session", sa.select(BookingRequestRow.idempotency_key)) == []
    assert await stack.rows("session", sa.select(outbox.c.id)) == []
    assert (await slot_check(stack))["hasConflict"] is False

    await member(stack, credits=30)  # topped up: the same request goes through
    assert (await book(stack, key="booking-short", guests=[{"email": GUEST_EMAIL}])).status_code == 201


async def test_a_repeated_request_gets_the_first_booking_and_pays_once(any_stack: Stack) -> None:
    stack = any_stack
    await gym(stack)
    await member(stack)

    first = await book(stack, key="booking-42")
    again = await book(stack, key="booking-42")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert await ledger(stack, MEMBER) == [("DEBIT", PRICE, first.json()["id"])]
    assert_error(await book(stack, key="booking-42", durationMinutes=90), 422, "IDEMPOTENCY_KEY_REUSED")


async def test_of_concurrent_bookings_of_one_slot_one_wins_and_only_it_is_charged(any_stack: Stack) -> None:
    stack = any_stack
    await gym(stack)
    members = [f"member-{n}" for n in range(6)]
    for user_id in members:
        await member(stack, user_id, email=f"{user_id}@example.com", credits=30)

    answers = await asyncio.gather(
        *(
            book(stack, userId=user_id, startsAt=f"2030-01-07T10:{15 * (n % 2):02d}:00Z")
            for n, user_id in enumerate(members)
        )
    )

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201, 409, 409, 409, 409, 409], [answer.text for answer in answers]
    [winner] = [answer.json() for answer in answers if answer.status_code == 201]
    assert [row.id for row in await stack.rows("session", sa.select(SessionRow.id))] == [winner["id"]]
    assert await ledger(stack) == [("DEBIT", PRICE, winner["id"])]
    assert [await balance(stack, user_id) for user_id in members].count(30) == 5
    for loser in (answer for answer in answers if answer.status_code == 409):
        assert "already booked" in assert_error(loser, 409, "CONFLICT").message


async def test_the_member_and_the_slot_are_checked_before_anything_is_held(stack: Stack) -> None:
    await gym(stack, maxGuests=1)
    await member(stack)
    await member(stack, "suspended-1", email="sus@example.com", status="SUSPENDED")

    assert "does not exist" in assert_error(await book(stack, userId="nobody"), 404, "NOT_FOUND").message
    assert "SUSPENDED" in assert_error(await book(stack, userId="suspended-1"), 403, "FORBIDDEN").message
    assert "gym-9" in assert_error(await book(stack, gymId="gym-9"), 404, "NOT_FOUND").message
    off_grid = assert_error(await book(stack, startsAt="2030-01-07T10:05:00Z"), 400, "VALIDATION_ERROR")
    assert fields(off_grid) == ["body.startsAt"]
    after_hours = assert_error(await book(stack, startsAt="2030-01-07T23:00:00Z"), 400, "VALIDATION_ERROR")
    assert "body.startsAt" in fields(after_hours)
    past = assert_error(await book(stack, startsAt="2020-01-06T10:00:00Z"), 400, "VALIDATION_ERROR")
    assert fields(past) == ["body.startsAt"]
    guests = [{"email": GUEST_EMAIL}, {"email": "alan@example.com"}]
    assert "at most 1 guests" in assert_error(await book(stack, guests=guests), 409, "CONFLICT").message
    await stack.state("gym", "a gym is closed", gymId="gym-2", adminUserId="admin-1")
    assert "closed" in assert_error(await book(stack, gymId="gym-2"), 409, "CONFLICT").message

    assert await ledger(stack) == []
    assert await stack.rows("session", sa.select(SessionRow.id)) == []
    assert stack.mails_to(MEMBER_EMAIL) == []


def fields(error: ErrorBody) -> list[str]:
    return [detail.field for detail in error.details or []]


async def slot_check(stack: Stack) -> dict:
    slot = {"gymId": "gym-1", "startsAt": SLOT, "endsAt": "2030-01-07T11:00:00Z"}
    response = await stack["session"].post("/internal/sessions/conflicts", json=slot)
    assert response.status_code == 200, response.text
    return response.json()
