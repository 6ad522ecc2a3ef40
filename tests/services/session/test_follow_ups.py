"""What the flows record for later: stable message ids, and events built from their facts and lookups."""

from __future__ import annotations

from solo60.contracts.events.session import SESSION_BOOKED, WAITING_LIST_SPOT_OPENED, GymFacts
from solo60.services.session import session_events
from solo60.services.session.follow_ups import message_id

GYM = GymFacts(gym_id="gym-1", name="Field Street Gym", timezone="Europe/London", admin_email="admin@field.example")
FACTS = {"sessionId": "s-1", "gymId": "gym-1", "memberId": "123", "startsAt": "2030-01-07T10:00:00+00:00"}


def test_a_message_id_is_the_same_for_the_same_action_and_fits_the_outbox() -> None:
    longest_session_id = "s" * 64

    assert message_id("guest-cancellation", longest_session_id, "g-1") == message_id(
        "guest-cancellation", longest_session_id, "g-1"
    )
    assert message_id("guest-cancellation", "s-1", "g-1") != message_id("guest-cancellation", "s-1", "g-2")
    assert message_id("refund", "s-1") != message_id("release-refund", "s-1")
    assert len(message_id("guest-cancellation", longest_session_id, "g" * 36)) <= 64


def test_a_booked_event_carries_the_gym_the_member_and_the_guests_as_looked_up() -> None:
    facts = {
        **FACTS,
        "event": SESSION_BOOKED.name,
        "status": "PENDING_APPROVAL",
        "guests": [{"guestId": "g-1", "email": "grace@example.com", "name": "Grace"}],
        "noiseWarning": True,
    }

    contract, payload = session_events.build(facts, GYM, {"123": "Ada"})

    assert contract is SESSION_BOOKED
    assert SESSION_BOOKED.body(payload) == {
        "sessionId": "s-1",
        "gym": {
            "gymId": "gym-1",
            "name": "Field Street Gym",
            "timezone": "Europe/London",
            "adminEmail": "admin@field.example",
        },
        "member": {"userId": "123", "name": "Ada"},
        "startsAt": "2030-01-07T10:00:00Z",
        "status": "PENDING_APPROVAL",
        "guests": [{"guestId": "g-1", "email": "grace@example.com", "name": "Grace"}],
        "noiseWarning": True,
    }


def test_a_spot_opened_event_names_who_was_waiting() -> None:
    facts = {**FACTS, "event": WAITING_LIST_SPOT_OPENED.name, "waitingUserId": "456"}

    assert session_events.people_to_name(facts) == ["123", "456"]
    _, payload = session_events.build(facts, GYM, {"123": "Ada", "456": "Grace"})
    assert WAITING_LIST_SPOT_OPENED.body(payload)["waiting"] == {"userId": "456", "name": "Grace"}
