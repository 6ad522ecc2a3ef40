"""What the session service relies on from the communication service: the mails of its booking flows.

Each test runs session's own code: the follow-up that a booking, a decision, a cancellation,
a guest or the waiting list causes (`follow_ups.py`) queues the mail in session's outbox, and
session's relay handler (`deliveries.py`) fills in the gym's name, the start in the gym's
local time and the greeting (asking the live gym and user services) and queues it through
`send-async` with the Idempotency-Key `outbox-<message id>`, the same on every retry. The
interaction is declared from the mail that handler composes, so each pins its template key
and exactly the variables session's code sends with it.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from consumers.session.examples import ADA, GRACE, STARTS_AT, a_session, upstreams
from solo60.clients import CommunicationClient, UpstreamUnauthorized, UpstreamValidationFailed
from solo60.contracts.communication import DeliveryStatus, EmailAccepted, Recipient, SendEmail, TemplateKey
from solo60.contracts.errors import ErrorCode
from solo60.harness.made.consumer_database import QueuedCall, deliver, queued_calls
from solo60.harness.made.contract_test import ContractTest
from solo60.harness.made.matchers import error_body, idempotency_key, sent_mail, shape_of
from solo60.harness.made.neighbours import Neighbours
from solo60.harness.made.rehearsal import rehearse
from solo60.services.kit.database import Database
from solo60.services.kit.outbox import Deliver
from solo60.services.session import deliveries, follow_ups, storage
from solo60.services.session.storage import SessionRow, WaitingListRow

CONSUMER = "session"
PROVIDER = "communication"

SEND_ASYNC = "/internal/emails/send-async"
ACCEPTED = shape_of(EmailAccepted(message_id="8c4f6c1e-2f5b-5a43-9d1e-6b7a0c3d2e11", status=DeliveryStatus.QUEUED))
TO_ADA = ("a user can receive email", {"userId": ADA["userId"], "email": ADA["email"]})
TO_GRACE = ("a user can receive email", {"userId": GRACE["userId"], "email": GRACE["email"]})
TO_AN_ADDRESS = ("no email was queued", {})


ACCEPTED_ANSWER = httpx.Response(202, json={"messageId": "8c4f6c1e-2f5b-5a43-9d1e-6b7a0c3d2e11", "status": "QUEUED"})


async def _composed_mail(db: Database, call: QueuedCall, neighbours: Neighbours) -> dict[str, Any]:
    """The mail session's relay handler composes for `call` (gym and names from the live services)."""

    async def hand_over(client: CommunicationClient) -> None:
        await _handlers(db, neighbours, client)[call.operation](dict(call.payload), call.key)

    rehearsal = await rehearse(CommunicationClient, hand_over, caller=CONSUMER, answer=ACCEPTED_ANSWER)
    return rehearsal.only.body


def _handlers(db: Database, neighbours: Neighbours, mail: CommunicationClient) -> dict[str, Deliver]:
    """Session's relay handlers, calling gym and user live and communication through `mail`."""
    return deliveries.handlers(db, upstreams(neighbours, communication=mail), wake=lambda: None)


async def _the_mail(db: Database, template: TemplateKey) -> QueuedCall:
    (call,) = [
        call
        for call in await queued_calls(db, storage.outbox, follow_ups.SEND_MAIL)
        if call.payload["templateKey"] == template.value
    ]
    return call


async def _sent(
    contract: ContractTest,
    db: Database,
    neighbours: Neighbours,
    template: TemplateKey,
    description: str,
    state: tuple[str, dict[str, str]],
) -> None:
    """Declare the mail session's code sends for the queued `template`, accepted; then let it send it."""
    call = await _the_mail(db, template)
    mail = await _composed_mail(db, call, neighbours)
    name, params = state
    (
        contract.request(description, "POST", SEND_ASYNC)
        .given(name, **params)
        .with_header("Idempotency-Key", idempotency_key(call.key))
        .with_body(sent_mail(mail), content_type="application/json")
        .will_respond_with(202)
        .with_body(ACCEPTED, content_type="application/json")
    )
    async with contract.client(CommunicationClient) as client:
        await deliver(db, storage.outbox, call, _handlers(db, neighbours, client))


async def test_a_booking_at_a_gym_requiring_approval_asks_the_gym_admin(
    contract: ContractTest, session_db: Database, neighbours: Neighbours
) -> None:
    row = a_session("PENDING_APPROVAL", guests=(GRACE,))
    async with session_db.write() as session:
        await follow_ups.after_booking(session, row, noise_warning=False)
    await _sent(
        contract, session_db, neighbours, TemplateKey.SESSION_APPROVAL_REQUEST,
        "an approval request to a gym's admin", TO_AN_ADDRESS,
    )  # fmt: skip


async def test_a_booking_at_a_noise_sensitive_gym_warns_the_member(
    contract: ContractTest, session_db: Database, neighbours: Neighbours
) -> None:
    async with session_db.write() as session:
        await follow_ups.after_booking(session, a_session(), noise_warning=True)
    await _sent(contract, session_db, neighbours, TemplateKey.NOISE_WARNING, "a noise warning to the member", TO_ADA)


async def test_an_approved_session_is_announced_to_the_member(
    contract: ContractTest, session_db: Database, neighbours: Neighbours
) -> None:
    async with session_db.write() as session:
        await follow_ups.after_approval(session, a_session())
    await _sent(
        contract, session_db, neighbours, TemplateKey.SESSION_APPROVED, "a session-approved mail to the member", TO_ADA
    )


async def test_a_rejected_session_tells_the_member_why(
    contract: ContractTest, session_db: Database, neighbours: Neighbours
) -> None:
    async with session_db.write() as session:
        await follow_ups.after_rejection(session, a_session(), "The gym is closed for a private event.")
    await _sent(
        contract, session_db, neighbours, TemplateKey.SESSION_REJECTED,
        "a session-rejected mail with the admin's reason", TO_ADA,
    )  # fmt: skip


async def test_a_cancelled_session_is_announced_to_each_invited_guest(
    contract: ContractTest, session_db: Database, neighbours: Neighbours
) -> None:
    async with session_db.write() as session:
        await follow_ups.after_cancellation(
            session, a_session(guests=(GRACE,)), guests_were_invited=True, reason="I am ill."
        )
    await _sent(
        contract, session_db, neighbours, TemplateKey.SESSION_CANCELLED,
        "a session-cancelled mail to a guest", TO_AN_ADDRESS,
    )  # fmt: skip


async def test_an_invited_guest_is_told_who_invited_them(
    contract: ContractTest, session_db: Database, neighbours: Neighbours
) -> None:
    row = a_session(guests=(GRACE,))
    async with session_db.write() as session:
        await follow_ups.invite_guest(session, row, row.guests[0])
    await _sent(
        contract, session_db, neighbours, TemplateKey.GUEST_INVITATION,
        "a guest invitation to a guest's address", TO_AN_ADDRESS,
    )  # fmt: skip


async def test_a_freed_slot_is_offered_to_the_waiting_list(
    contract: ContractTest, session_db: Database, neighbours: Neighbours
) -> None:
    row = a_session()
    async with session_db.write() as session:
        session.add(row)
        session.add(WaitingListRow(id="wait-1", session_id=row.id, user_id=GRACE["userId"], joined_at=STARTS_AT))
    async with session_db.write() as session:
        stored = await session.get(SessionRow, row.id)
        assert stored is not None
        await follow_ups.tell_the_waiting_list(session, stored)
    await _sent(
        contract, session_db, neighbours, TemplateKey.SPOT_AVAILABLE,
        "a spot-available mail to a member on the waiting list", TO_GRACE,
    )  # fmt: skip


async def test_a_greeting_with_a_control_character_is_refused_with_the_field_named(contract: ContractTest) -> None:
    """What the relay relies on when it gives a mail up: a greeting the provider refuses is a 400 naming the field.

    Session's own code can no longer compose such a mail (the client validates it first), so this
    interaction is sent as an older, looser session service would have sent it.
    """
    key = "outbox-guest-invitation-1b4e28ba-2fa1-5d2e-8c3f-6a7b8c9d0e1f"
    variables = {
        "gymName": "Field Street Gym",
        "startsAt": "Monday 7 January 2030, 10:00 (Europe/London)",
        "hostName": ADA["name"],
        "name": "Grace\u0007Hopper",
    }
    (
        contract.request("a guest invitation greeting a name with a control character", "POST", SEND_ASYNC)
        .given("no email was queued")
        .with_header("Idempotency-Key", idempotency_key(key))
        .with_body(
            {"templateKey": "GUEST_INVITATION", "to": {"email": GRACE["email"]}, "variables": variables},
            content_type="application/json",
        )
        .will_respond_with(400)
        .with_body(error_body(ErrorCode.VALIDATION_ERROR, with_details=True), content_type="application/json")
    )
    unchecked = SendEmail.model_construct(
        template_key=TemplateKey.GUEST_INVITATION, to=Recipient(email=GRACE["email"]), variables=variables
    )
    async with contract.client(CommunicationClient) as mails:
        with pytest.raises(UpstreamValidationFailed) as refused:
            await mails.send_email_async(unchecked, idempotency_key=key)
    assert refused.value.details  # the relay gives the mail up and keeps the reason


async def test_a_mail_with_a_revoked_service_key_is_unauthorized_and_retried(
    contract: ContractTest, session_db: Database, neighbours: Neighbours
) -> None:
    async with session_db.write() as session:
        await follow_ups.after_approval(session, a_session())
    call = await _the_mail(session_db, TemplateKey.SESSION_APPROVED)
    mail = await _composed_mail(session_db, call, neighbours)
    (
        contract.request("a session-approved mail with a revoked service key", "POST", SEND_ASYNC, authenticated=False)
        .given(*TO_ADA[:1], **TO_ADA[1])
        .with_header("x-api-key", "a-revoked-key")
        .with_header("Idempotency-Key", idempotency_key(call.key))
        .with_body(sent_mail(mail), content_type="application/json")
        .will_respond_with(401)
        .with_body(error_body(ErrorCode.UNAUTHORIZED), content_type="application/json")
    )
    async with contract.client(CommunicationClient, api_key="a-revoked-key") as client:
        with pytest.raises(UpstreamUnauthorized):  # not a permanent failure: the relay tries again later
            await deliver(session_db, storage.outbox, call, _handlers(session_db, neighbours, client))
