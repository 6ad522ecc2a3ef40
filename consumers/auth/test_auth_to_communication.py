"""What the auth service relies on from the communication service: the mails of its account flows.

The account flows queue each mail in auth's outbox in the same transaction as the account
change; the relay hands it to `send-async`, to the member's userId, with the Idempotency-Key
`outbox-<message id>`, the same on every retry, so a relay that crashes after handing a mail
over never gets it sent twice.
"""

from __future__ import annotations

from typing import Any

import pytest
from pact import match

from solo60.clients import CommunicationClient, Unauthorized, ValidationFailed
from solo60.contracts.communication import DeliveryStatus, EmailAccepted, Recipient, SendEmail, TemplateKey
from solo60.contracts.errors import ErrorCode
from solo60.harness.made.contract_test import ContractTest
from solo60.harness.made.matchers import error_body, idempotency_key, identifier, shape_of

CONSUMER = "auth"
PROVIDER = "communication"

SEND_ASYNC = "/internal/emails/send-async"
ACCEPTED = shape_of(EmailAccepted(message_id="8c4f6c1e-2f5b-5a43-9d1e-6b7a0c3d2e11", status=DeliveryStatus.QUEUED))
MEMBER = {"userId": "123", "email": "ada@example.com"}
RESET_DIGEST = "5d41402abc4b2a76b9719d911017c592aabbccdd"

CONFIRM_URL = "http://localhost:3000/confirm-email?token=c0nf1rm"
RESET_URL = "http://localhost:3000/reset-password?token=r3s3t"
ACCOUNT_URL = "http://localhost:3000/account"


def _link(example: str) -> Any:
    """A link into the web app: its base URL is configuration, its token a secret, so only the form is pinned."""
    return match.regex(example, regex=r"^https?://\S+$")


async def _queue(contract: ContractTest, template: TemplateKey, variables: dict[str, Any], key: str) -> EmailAccepted:
    mail = SendEmail(template_key=template, to=Recipient(user_id="123"), variables=variables)
    async with contract.client(CommunicationClient) as mails:
        return await mails.send_email_async(mail, idempotency_key=key)


def _declare(contract: ContractTest, description: str, template: TemplateKey, variables: dict, key: str) -> None:
    (
        contract.request(description, "POST", SEND_ASYNC)
        .given("a user can receive email", **MEMBER)
        .with_header("Idempotency-Key", idempotency_key(key))
        .with_body(
            {"templateKey": template.value, "to": {"userId": identifier("123")}, "variables": variables},
            content_type="application/json",
        )
        .will_respond_with(202)
        .with_body(ACCEPTED, content_type="application/json")
    )


async def test_signup_queues_the_email_confirmation_link(contract: ContractTest) -> None:
    key = "outbox-signup-123-email-confirmation"
    _declare(
        contract,
        "an email confirmation for a new member",
        TemplateKey.EMAIL_CONFIRMATION,
        {"name": match.str("Ada Lovelace"), "confirmationUrl": _link(CONFIRM_URL)},
        key,
    )
    accepted = await _queue(
        contract, TemplateKey.EMAIL_CONFIRMATION, {"name": "Ada Lovelace", "confirmationUrl": CONFIRM_URL}, key
    )
    assert accepted.status is DeliveryStatus.QUEUED  # handed over: the outbox entry is done


async def test_a_password_reset_request_queues_the_link_with_its_lifetime(contract: ContractTest) -> None:
    key = f"outbox-password-reset-{RESET_DIGEST}"
    variables = {"name": "Ada Lovelace", "resetUrl": RESET_URL, "expiresInMinutes": 30}
    _declare(
        contract,
        "a password reset link",
        TemplateKey.PASSWORD_RESET,
        {"name": match.str("Ada Lovelace"), "resetUrl": _link(RESET_URL), "expiresInMinutes": match.int(30)},
        key,
    )
    accepted = await _queue(contract, TemplateKey.PASSWORD_RESET, variables, key)
    assert accepted.status is DeliveryStatus.QUEUED


async def test_a_changed_password_is_confirmed_to_the_member(contract: ContractTest) -> None:
    """The confirmation needs no variables: auth sends an empty set of them."""
    key = f"outbox-password-reset-{RESET_DIGEST}-done"
    _declare(contract, "a password-changed confirmation", TemplateKey.PASSWORD_RESET_CONFIRMATION, {}, key)
    accepted = await _queue(contract, TemplateKey.PASSWORD_RESET_CONFIRMATION, {}, key)
    assert accepted.status is DeliveryStatus.QUEUED


async def test_a_verified_address_is_confirmed_with_a_link_to_the_account(contract: ContractTest) -> None:
    key = "outbox-email-verified-123"
    _declare(
        contract,
        "an account verification notice",
        TemplateKey.ACCOUNT_VERIFICATION,
        {"name": match.str("Ada Lovelace"), "verificationUrl": _link(ACCOUNT_URL)},
        key,
    )
    accepted = await _queue(
        contract, TemplateKey.ACCOUNT_VERIFICATION, {"name": "Ada Lovelace", "verificationUrl": ACCOUNT_URL}, key
    )
    assert accepted.status is DeliveryStatus.QUEUED


async def test_a_name_with_a_control_character_is_refused_with_the_field_named(contract: ContractTest) -> None:
    """A member's name goes into the greeting as it is; the provider refuses control characters in it."""
    key = "outbox-signup-123-email-confirmation"
    (
        contract.request("an email confirmation greeting a name with a control character", "POST", SEND_ASYNC)
        .given("a user can receive email", **MEMBER)
        .with_header("Idempotency-Key", idempotency_key(key))
        .with_body(
            {
                "templateKey": "EMAIL_CONFIRMATION",
                "to": {"userId": "123"},
                "variables": {"name": "Ada\u0007Lovelace", "confirmationUrl": CONFIRM_URL},
            },
            content_type="application/json",
        )
        .will_respond_with(400)
        .with_body(error_body(ErrorCode.VALIDATION_ERROR, with_details=True), content_type="application/json")
    )
    # A body the client did not validate, as an auth service on an older, looser contract would send.
    unchecked = SendEmail.model_construct(
        template_key=TemplateKey.EMAIL_CONFIRMATION,
        to=Recipient(user_id="123"),
        variables={"name": "Ada\u0007Lovelace", "confirmationUrl": CONFIRM_URL},
    )
    async with contract.client(CommunicationClient) as mails:
        with pytest.raises(ValidationFailed) as refused:
            await mails.send_email_async(unchecked, idempotency_key=key)
    assert refused.value.details


async def test_a_mail_with_a_revoked_service_key_is_unauthorized(contract: ContractTest) -> None:
    """The relay tells a refusal from an outage by the status: a key the provider no longer accepts is 401."""
    key = "outbox-signup-123-email-confirmation"
    (
        contract.request("an email confirmation with a revoked service key", "POST", SEND_ASYNC, authenticated=False)
        .given("a user can receive email", **MEMBER)
        .with_header("x-api-key", "a-revoked-key")
        .with_header("Idempotency-Key", idempotency_key(key))
        .with_body(
            {
                "templateKey": "EMAIL_CONFIRMATION",
                "to": {"userId": identifier("123")},
                "variables": {"name": match.str("Ada Lovelace"), "confirmationUrl": _link(CONFIRM_URL)},
            },
            content_type="application/json",
        )
        .will_respond_with(401)
        .with_body(error_body(ErrorCode.UNAUTHORIZED), content_type="application/json")
    )
    mail = SendEmail(
        template_key=TemplateKey.EMAIL_CONFIRMATION,
        to=Recipient(user_id="123"),
        variables={"name": "Ada Lovelace", "confirmationUrl": CONFIRM_URL},
    )
    async with contract.client(CommunicationClient, api_key="a-revoked-key") as mails:
        with pytest.raises(Unauthorized):
            await mails.send_email_async(mail, idempotency_key=key)
