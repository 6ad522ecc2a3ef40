"""What the communication service relies on from the session service: the events of a booking's life.

A message pact (V4 asynchronous messages), made as `test_communication_to_subscription.py`
makes its own: each event as communication reads it, under the provider states the session
service needs to produce it (the session, who waits for it, and what the gym and user
services would answer as the event leaves), handed to communication's real handler, which
must queue the mails the gym admin, the member or the guests get.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from consumers.communication.messages import Communication
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
from solo60.harness.made.contract_test import ContractTest
from solo60.harness.made.matchers import shape_of

CONSUMER = "communication"
PROVIDER = "session"

STARTS = datetime(2030, 1, 7, 10, tzinfo=UTC)
AT = "Monday 7 January 2030, 10:00 (Europe/London)"
GYM = GymFacts(gym_id="gym-1", name="Field Street Gym", timezone="Europe/London", admin_email="admin@field.example")
ADA = Person(user_id="123", name="Ada")
GRACE = Guest(guest_id="b3c1d2e4-5f60-4a7b-8c9d-0e1f2a3b4c5d", email="grace@example.com")
SESSION = {"session_id": "session-1", "gym": GYM, "member": ADA, "starts_at": STARTS}
KNOWN = ("the gym and the members are known", {"gymName": "Field Street Gym", "memberName": "Ada"})


def a_session(**params: str) -> tuple[str, dict[str, str]]:
    return "a session exists", {"sessionId": "session-1", "userId": "123", "gymId": "gym-1", **params}


def test_a_booking_awaiting_approval_asks_the_gym_admin(contract: ContractTest, tmp_path: Path) -> None:
    event = SessionBooked(**SESSION, status="PENDING_APPROVAL", guests=[GRACE], noise_warning=True)
    (
        contract.message(SESSION_BOOKED, "a booking awaits the gym's approval")
        .given(*a_session(status="PENDING_APPROVAL", guests="grace@example.com"))
        .given(*KNOWN)
        .with_body(shape_of(event), "application/json")
    )
    communication = Communication(tmp_path, PROVIDER)
    contract.receive(communication)
    request, warning = communication.queued
    assert (request.to, request.subject) == ("admin@field.example", f"Approval needed: Ada at Field Street Gym on {AT}")
    assert "(guests: grace@example.com)" in request.body
    assert (warning.template_key, warning.to) == ("NOISE_WARNING", "user 123")


def test_an_approved_session_tells_the_member(contract: ContractTest, tmp_path: Path) -> None:
    (
        contract.message(SESSION_APPROVED, "the gym approved a session")
        .given(*a_session(status="CONFIRMED"))
        .given(*KNOWN)
        .with_body(shape_of(SessionApproved(**SESSION)), "application/json")
    )
    communication = Communication(tmp_path, PROVIDER)
    contract.receive(communication)
    (mail,) = communication.queued
    assert (mail.to, mail.subject) == ("user 123", "Your session at Field Street Gym is approved")
    assert mail.body.startswith("Hello Ada,")


def test_a_rejected_session_tells_the_member_why(contract: ContractTest, tmp_path: Path) -> None:
    (
        contract.message(SESSION_REJECTED, "the gym rejected a session, saying why")
        .given(*a_session(status="CANCELLED"))
        .given(*KNOWN)
        .with_body(shape_of(SessionRejected(**SESSION, reason="Closed for a private event")), "application/json")
    )
    communication = Communication(tmp_path, PROVIDER)
    contract.receive(communication)
    (mail,) = communication.queued
    assert mail.subject == "Your session at Field Street Gym was not approved"
    assert "Reason: Closed for a private event" in mail.body


def test_a_cancelled_session_tells_its_invited_guests(contract: ContractTest, tmp_path: Path) -> None:
    event = SessionCancelled(**SESSION, reason="Ada is ill", guests_to_tell=[GRACE])
    (
        contract.message(SESSION_CANCELLED, "a member cancelled a session with a guest")
        .given(*a_session(status="CANCELLED", guests="grace@example.com"))
        .given(*KNOWN)
        .with_body(shape_of(event), "application/json")
    )
    communication = Communication(tmp_path, PROVIDER)
    contract.receive(communication)
    (mail,) = communication.queued
    assert (mail.to, mail.subject) == ("grace@example.com", f"Session at Field Street Gym on {AT} cancelled")


def test_an_invited_guest_hears_who_invited_them(contract: ContractTest, tmp_path: Path) -> None:
    (
        contract.message(GUEST_INVITED, "a guest is invited to a confirmed session")
        .given(*a_session(status="CONFIRMED", guests="grace@example.com"))
        .given(*KNOWN)
        .with_body(shape_of(GuestInvited(**SESSION, guest=GRACE)), "application/json")
    )
    communication = Communication(tmp_path, PROVIDER)
    contract.receive(communication)
    (mail,) = communication.queued
    assert (mail.to, mail.subject) == ("grace@example.com", "Ada invited you to train at Field Street Gym")


def test_who_waited_hears_the_spot_is_free(contract: ContractTest, tmp_path: Path) -> None:
    event = WaitingListSpotOpened(**SESSION, waiting=Person(user_id="456", name="Grace"))
    (
        contract.message(WAITING_LIST_SPOT_OPENED, "a spot someone waited for is free")
        .given(*a_session(status="CANCELLED"))
        .given("someone waits for the session's slot", {"sessionId": "session-1", "userId": "456"})
        .given("the gym and the members are known", {"gymName": "Field Street Gym", "waitingName": "Grace"})
        .with_body(shape_of(event), "application/json")
    )
    communication = Communication(tmp_path, PROVIDER)
    contract.receive(communication)
    (mail,) = communication.queued
    assert (mail.to, mail.subject) == ("user 456", "A spot opened up at Field Street Gym")
    assert mail.body.startswith("Hello Grace,")
