"""The waiting list of a taken slot: members queue once, in order, and hear when the slot frees up."""

from __future__ import annotations

from tests.flows.session.stack import Stack
from tests.flows.session.world import MEMBER, booked, command, gym, member, waiting
from tests.helpers import assert_error


async def test_members_queue_in_the_order_they_joined_and_joining_twice_keeps_one_place(any_stack: Stack) -> None:
    stack = any_stack
    await gym(stack)
    await member(stack)
    await waiting(stack, "member-2", email="alan@example.com")
    await waiting(stack, "member-3", email="edsger@example.com")
    booking = await booked(stack)

    first = await command(stack, booking["id"], "waiting-list", {"userId": "member-2"})
    second = await command(stack, booking["id"], "waiting-list", {"userId": "member-3"})
    again = await command(stack, booking["id"], "waiting-list", {"userId": "member-2"})

    assert (first.status_code, second.status_code, again.status_code) == (201, 201, 200)
    assert (first.json()["position"], second.json()["position"]) == (1, 2)
    assert again.json() == first.json()
    assert first.json()["sessionId"] == booking["id"]
    assert first.json()["notifiedAt"] is None


async def test_only_active_members_wait_and_only_for_a_slot_someone_else_holds(stack: Stack) -> None:
    await gym(stack)
    await member(stack)
    await member(stack, "suspended-1", email="sus@example.com", status="SUSPENDED")
    booking = await booked(stack)

    def join(user_id: str, session_id: str = booking["id"]):
        return command(stack, session_id, "waiting-list", {"userId": user_id})

    assert "their own slot" in assert_error(await join(MEMBER), 409, "CONFLICT").message
    assert_error(await join("nobody"), 404, "NOT_FOUND")
    assert_error(await join("suspended-1"), 403, "FORBIDDEN")
    assert_error(await join("member-2", "s-404"), 404, "NOT_FOUND")
    assert_error(await command(stack, booking["id"], "waiting-list", {"userId": 7}), 400, "VALIDATION_ERROR")
    await command(stack, booking["id"], "cancel")
    await waiting(stack, "member-2", email="alan@example.com")
    assert "book it instead" in assert_error(await join("member-2"), 409, "CONFLICT").message
