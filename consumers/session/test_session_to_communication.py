"""What the session service relies on from the communication service: the mails of its booking flows.

Booking, the admin's decision, cancellation, guests and the waiting list record each mail in
the session outbox; the relay fills in the gym's name, the start in the gym's local time and
the greeting, and queues it through `send-async` with the Idempotency-Key `outbox-<message id>`,
the same on every retry, so a relay that crashes after handing a mail over never mails twice.
Each interaction pins its template key and exactly the variables the relay sends with it.
"""

from __future__ import annotations

from typing import Any

import pytest
from pact import match

from solo60.clients import CommunicationClient, Unauthorized, ValidationFailed
from solo60.contracts.communication import DeliveryStatus, EmailAccepted, Recipient, SendEmail, TemplateKey
from solo60.contracts.errors import ErrorCode
from solo60.harness.made.contract_test import ContractTest
from solo60.harness.made.matchers import email, error_body, idempotency_key, identifier, shape_of

CONSUMER = "session"
PROVIDER = "communication"

SEND_ASYNC = "/internal/emails/send-async"
ACCEPTED = shape_of(EmailAccepted(message_id="8c4f6c1e-2f5b-5a43-9d1e-6b7a0c3d2e11", status=DeliveryStatus.QUEUED))

ADA = {"userId": "123", "email": "ada@example.com"}
GYM = "Field Street Gym"
STARTS_AT = "Monday 7 January 2030, 10:00 (Europe/London)"
"""The slot's start as the member reads it: the gym's local time, with the gym's timezone."""
SLOT = {"gymName": GYM, "startsAt": STARTS_AT}


def _key(purpose: str) -> str:
    return f"outbox-{purpose}-1b4e28ba-2fa1-5d2e-8c3f-6a7b8c9d0e1f"


def _text(variables: dict[str, str]) -> dict[str, Any]:
    """Each variable as text: the pact pins which variables go, not what a gym or member is called."""
    return {name: match.str(value) for name, value in variables.items()}


async def _queue(
    contract: ContractTest, description: str, state: tuple[str, dict[str, str]], mail: SendEmail, key: str
) -> EmailAccepted:
    """Declare the mail as the relay sends it (only the fields set), queue it, and return the answer."""
    to = mail.to.model_dump(mode="json", exclude_none=True)
    recipient = {"userId": identifier(to["userId"])} if "userId" in to else {"email": email(to["email"])}
    name, params = state
    (
        contract.request(description, "POST", SEND_ASYNC)
        .given(name, **params)
        .with_header("Idempotency-Key", idempotency_key(key))
        .with_body(
            {"templateKey": mail.template_key.value, "to": recipient, "variables": _text(mail.variables)},
            content_type="application/json",
        )
        .will_respond_with(202)
        .with_body(ACCEPTED, content_type="application/json")
    )
    async with contract.client(CommunicationClient) as mails:
        return await mails.send_email_async(mail, idempotency_key=key)


TO_ADA = ("a user can receive email", ADA)
TO_AN_ADDRESS = ("no email was queued", {})


async def test_a_booking_at_a_gym_requiring_approval_asks_the_gym_admin(contract: ContractTest) -> None:
    variables = {
        **SLOT,
        "name": f"{GYM} team",
        "memberName": "Ada Lovelace",
        "sessionId": "9b2f6c1e-4d7a-4e0b-8f3c-2a1d5e6f7a8b",
        "guests": "Grace Hopper",
    }
    mail = SendEmail(
        template_key=TemplateKey.SESSION_APPROVAL_REQUEST,
        to=Recipient(email="admin@fieldstreetgym.example"),
        variables=variables,
    )
    key = _key("approval-request")
    accepted = await _queue(contract, "an approval request to a gym's admin", TO_AN_ADDRESS, mail, key)
    assert accepted.status is DeliveryStatus.QUEUED  # handed over: the outbox entry is done


async def test_a_booking_at_a_noise_sensitive_gym_warns_the_member(contract: ContractTest) -> None:
    mail = SendEmail(
        template_key=TemplateKey.NOISE_WARNING, to=Recipient(user_id="123"), variables={**SLOT, "name": "Ada Lovelace"}
    )
    accepted = await _queue(contract, "a noise warning to the member", TO_ADA, mail, _key("noise-warning"))
    assert accepted.status is DeliveryStatus.QUEUED


async def test_an_approved_session_is_announced_to_the_member(contract: ContractTest) -> None:
    mail = SendEmail(
        template_key=TemplateKey.SESSION_APPROVED,
        to=Recipient(user_id="123"),
        variables={**SLOT, "name": "Ada Lovelace"},
    )
    accepted = await _queue(contract, "a session-approved mail to the member", TO_ADA, mail, _key("session-approved"))
    assert accepted.status is DeliveryStatus.QUEUED


async def test_a_rejected_session_tells_the_member_why(contract: ContractTest) -> None:
    mail = SendEmail(
        template_key=TemplateKey.SESSION_REJECTED,
        to=Recipient(user_id="123"),
        variables={**SLOT, "name": "Ada Lovelace", "reason": "The gym is closed for a private event."},
    )
    key = _key("session-rejected")
    accepted = await _queue(contract, "a session-rejected mail with the admin's reason", TO_ADA, mail, key)
    assert accepted.status is DeliveryStatus.QUEUED


async def test_a_cancelled_session_is_announced_to_each_invited_guest(contract: ContractTest) -> None:
    mail = SendEmail(
        template_key=TemplateKey.SESSION_CANCELLED,
        to=Recipient(email="grace@example.com"),
        variables={**SLOT, "name": "Grace Hopper", "reason": "I am ill."},
    )
    key = _key("guest-cancellation")
    accepted = await _queue(contract, "a session-cancelled mail to a guest", TO_AN_ADDRESS, mail, key)
    assert accepted.status is DeliveryStatus.QUEUED


async def test_an_invited_guest_is_told_who_invited_them(contract: ContractTest) -> None:
    mail = SendEmail(
        template_key=TemplateKey.GUEST_INVITATION,
        to=Recipient(email="grace@example.com"),
        variables={**SLOT, "hostName": "Ada Lovelace", "name": "Grace Hopper"},
    )
    key = _key("guest-invitation")
    accepted = await _queue(contract, "a guest invitation to a guest's address", TO_AN_ADDRESS, mail, key)
    assert accepted.status is DeliveryStatus.QUEUED


async def test_a_freed_slot_is_offered_to_the_waiting_list(contract: ContractTest) -> None:
    waiting = ("a user can receive email", {"userId": "456", "email": "grace@example.com"})
    mail = SendEmail(
        template_key=TemplateKey.SPOT_AVAILABLE, to=Recipient(user_id="456"), variables={**SLOT, "name": "Grace Hopper"}
    )
    key = _key("spot-available")
    accepted = await _queue(contract, "a spot-available mail to a member on the waiting list", waiting, mail, key)
    assert accepted.status is DeliveryStatus.QUEUED


async def test_a_greeting_with_a_control_character_is_refused_with_the_field_named(contract: ContractTest) -> None:
    """A guest's name goes into the greeting as it was recorded; the provider refuses control characters in it."""
    key = _key("guest-invitation")
    (
        contract.request("a guest invitation greeting a name with a control character", "POST", SEND_ASYNC)
        .given("no email was queued")
        .with_header("Idempotency-Key", idempotency_key(key))
        .with_body(
            {
                "templateKey": "GUEST_INVITATION",
                "to": {"email": "grace@example.com"},
                "variables": {**SLOT, "hostName": "Ada Lovelace", "name": "Grace\u0007Hopper"},
            },
            content_type="application/json",
        )
        .will_respond_with(400)
        .with_body(error_body(ErrorCode.VALIDATION_ERROR, with_details=True), content_type="application/json")
    )
    # A body the client did not validate, as a session service on an older, looser contract would send.
    unchecked = SendEmail.model_construct(
        template_key=TemplateKey.GUEST_INVITATION,
        to=Recipient(email="grace@example.com"),
        variables={**SLOT, "hostName": "Ada Lovelace", "name": "Grace\u0007Hopper"},
    )
    async with contract.client(CommunicationClient) as mails:
        with pytest.raises(ValidationFailed) as refused:
            await mails.send_email_async(unchecked, idempotency_key=key)
    assert refused.value.details  # the relay gives the mail up and keeps the reason


async def test_a_mail_with_a_revoked_service_key_is_unauthorized(contract: ContractTest) -> None:
    key = _key("session-approved")
    variables = {**SLOT, "name": "Ada Lovelace"}
    (
        contract.request("a session-approved mail with a revoked service key", "POST", SEND_ASYNC, authenticated=False)
        .given("a user can receive email", **ADA)
        .with_header("x-api-key", "a-revoked-key")
        .with_header("Idempotency-Key", idempotency_key(key))
        .with_body(
            {"templateKey": "SESSION_APPROVED", "to": {"userId": identifier("123")}, "variables": _text(variables)},
            content_type="application/json",
        )
        .will_respond_with(401)
        .with_body(error_body(ErrorCode.UNAUTHORIZED), content_type="application/json")
    )
    mail = SendEmail(template_key=TemplateKey.SESSION_APPROVED, to=Recipient(user_id="123"), variables=variables)
    async with contract.client(CommunicationClient, api_key="a-revoked-key") as mails:
        with pytest.raises(Unauthorized):
            await mails.send_email_async(mail, idempotency_key=key)
