"""What the auth service relies on from the communication service: the mails of its account flows.

Each test runs auth's own flow (signup, email verification, a password reset and its
confirmation), which asks the live user service what it needs and queues the mail in auth's
outbox in the same transaction as the account change; auth's relay handler then hands it to
`send-async`, to the member's userId, with the Idempotency-Key `outbox-<message id>`, the same
on every retry, so a relay that crashes after handing a mail over never gets it sent twice.
The interaction is declared from the mail the flow queued. A new user's id and the token in a
link are new on every run: those are pinned by form, with fixed examples.
"""

from __future__ import annotations

import pytest
from pact import match

from consumers.auth.examples import ADA, CONFIRM_URL, RESET_URL, a_mailed_token, an_account, link, runtime
from solo60.clients import CommunicationClient, UpstreamUnauthorized, UpstreamValidationFailed, UserClient
from solo60.contracts.auth import PasswordResetConfirmation, PasswordResetRequest, Signup, VerifyEmail
from solo60.contracts.communication import DeliveryStatus, EmailAccepted, Recipient, SendEmail, TemplateKey
from solo60.contracts.errors import ErrorCode
from solo60.harness.made.consumer_database import QueuedCall, deliver, queued_calls
from solo60.harness.made.contract_test import ContractTest
from solo60.harness.made.matchers import error_body, idempotency_key, sent_mail, shape_of
from solo60.harness.made.neighbours import Neighbours
from solo60.services.auth import storage
from solo60.services.auth.email_verification import verify_email
from solo60.services.auth.mail_outbox import SEND_EMAIL, delivery_handlers
from solo60.services.auth.password_reset import confirm_reset, request_reset
from solo60.services.auth.signup import sign_up
from solo60.services.auth.tokens import Purpose
from solo60.services.kit.database import Database

CONSUMER = "auth"
PROVIDER = "communication"

SEND_ASYNC = "/internal/emails/send-async"
ACCEPTED = shape_of(EmailAccepted(message_id="8c4f6c1e-2f5b-5a43-9d1e-6b7a0c3d2e11", status=DeliveryStatus.QUEUED))
MEMBER = {"userId": ADA["userId"], "email": ADA["email"]}
RESET_DIGEST = "5d41402abc4b2a76b9719d911017c592aabbccdd"
GRACE = Signup(email="grace@example.com", name="Grace Hopper", password="correct horse battery")


async def _the_mail(db: Database, template: TemplateKey) -> QueuedCall:
    (call,) = [
        call
        for call in await queued_calls(db, storage.outbox, SEND_EMAIL)
        if call.payload["mail"]["templateKey"] == template.value
    ]
    return call


async def _sent(
    contract: ContractTest,
    db: Database,
    template: TemplateKey,
    description: str,
    *,
    key: str | None = None,
    **made_anew: object,
) -> QueuedCall:
    """Declare the mail auth's flow queued, accepted, and let auth's relay handler send it.

    `key` is the example of a key made anew each run; `made_anew` the matchers of such variables
    (and `recipient` of a new user's id).
    """
    call = await _the_mail(db, template)
    recipient = made_anew.pop("recipient", None)
    (
        contract.request(description, "POST", SEND_ASYNC)
        .given("a user can receive email", **MEMBER)
        .with_header("Idempotency-Key", idempotency_key(key or call.key))
        .with_body(
            sent_mail(call.payload["mail"], recipient=recipient, variables=made_anew), content_type="application/json"
        )
        .will_respond_with(202)
        .with_body(ACCEPTED, content_type="application/json")
    )
    async with contract.client(CommunicationClient) as mails:
        await deliver(db, storage.outbox, call, delivery_handlers(runtime(db, communication=mails)))
    return call


async def test_signup_queues_the_email_confirmation_link(
    contract: ContractTest, auth_db: Database, neighbours: Neighbours
) -> None:
    async with neighbours.client(UserClient, caller=CONSUMER) as users:
        await sign_up(runtime(auth_db, users=users), GRACE, "signup-1")
    await _sent(
        contract, auth_db, TemplateKey.EMAIL_CONFIRMATION, "an email confirmation for a new member",
        key="outbox-signup-123-email-confirmation", recipient=match.regex("123", regex=r"^\S+$"),
        confirmationUrl=link(CONFIRM_URL),
    )  # fmt: skip
    scrubbed = await queued_calls(auth_db, storage.outbox)
    assert scrubbed == []  # handed over: the token is gone from auth's database


async def test_a_password_reset_request_queues_the_link_with_its_lifetime(
    contract: ContractTest, auth_db: Database, neighbours: Neighbours
) -> None:
    await an_account(auth_db)
    async with neighbours.client(UserClient, caller=CONSUMER) as users:
        await request_reset(runtime(auth_db, users=users), PasswordResetRequest(email=ADA["email"]), "reset-1")
    await _sent(
        contract, auth_db, TemplateKey.PASSWORD_RESET, "a password reset link",
        key=f"outbox-password-reset-{RESET_DIGEST}", resetUrl=link(RESET_URL),
    )  # fmt: skip


async def test_a_changed_password_is_confirmed_to_the_member(contract: ContractTest, auth_db: Database) -> None:
    """The confirmation needs no variables: auth sends an empty set of them."""
    await an_account(auth_db)
    token = await a_mailed_token(auth_db, Purpose.PASSWORD_RESET)
    confirmation = PasswordResetConfirmation(token=token, password="a new one, long")
    await confirm_reset(runtime(auth_db), confirmation, "confirm-1")
    await _sent(
        contract, auth_db, TemplateKey.PASSWORD_RESET_CONFIRMATION, "a password-changed confirmation",
        key=f"outbox-password-reset-{RESET_DIGEST}-done",
    )  # fmt: skip


async def test_a_verified_address_is_confirmed_with_a_link_to_the_account(
    contract: ContractTest, auth_db: Database, neighbours: Neighbours
) -> None:
    await an_account(auth_db)
    token = await a_mailed_token(auth_db, Purpose.EMAIL_VERIFICATION)
    async with neighbours.client(UserClient, caller=CONSUMER) as users:
        await verify_email(runtime(auth_db, users=users), VerifyEmail(token=token), "verify-1")
    await _sent(contract, auth_db, TemplateKey.ACCOUNT_VERIFICATION, "an account verification notice")


async def test_a_name_with_a_control_character_is_refused_with_the_field_named(contract: ContractTest) -> None:
    """What auth's relay relies on when it gives a mail up: a greeting the provider refuses is a 400 naming
    the field. Auth's own code cleans the greeting first, so this is sent as an older, looser auth would."""
    key = "outbox-signup-123-email-confirmation"
    variables = {"name": "Ada\u0007Lovelace", "confirmationUrl": CONFIRM_URL}
    (
        contract.request("an email confirmation greeting a name with a control character", "POST", SEND_ASYNC)
        .given("a user can receive email", **MEMBER)
        .with_header("Idempotency-Key", idempotency_key(key))
        .with_body(
            {"templateKey": "EMAIL_CONFIRMATION", "to": {"userId": "123"}, "variables": variables},
            content_type="application/json",
        )
        .will_respond_with(400)
        .with_body(error_body(ErrorCode.VALIDATION_ERROR, with_details=True), content_type="application/json")
    )
    unchecked = SendEmail.model_construct(
        template_key=TemplateKey.EMAIL_CONFIRMATION, to=Recipient(user_id="123"), variables=variables
    )
    async with contract.client(CommunicationClient) as mails:
        with pytest.raises(UpstreamValidationFailed) as refused:
            await mails.send_email_async(unchecked, idempotency_key=key)
    assert refused.value.details


async def test_a_mail_with_a_revoked_service_key_is_unauthorized_and_kept_for_a_retry(
    contract: ContractTest, auth_db: Database, neighbours: Neighbours
) -> None:
    """The relay tells a refusal from an outage by the status: a key the provider no longer accepts is 401,
    retried later (a key rotation in progress), and the mail, token and all, stays queued."""
    await an_account(auth_db)
    token = await a_mailed_token(auth_db, Purpose.EMAIL_VERIFICATION)
    async with neighbours.client(UserClient, caller=CONSUMER) as users:
        await verify_email(runtime(auth_db, users=users), VerifyEmail(token=token), "verify-1")
    call = await _the_mail(auth_db, TemplateKey.ACCOUNT_VERIFICATION)
    (
        contract.request(
            "an account verification notice with a revoked service key", "POST", SEND_ASYNC, authenticated=False
        )
        .given("a user can receive email", **MEMBER)
        .with_header("x-api-key", "a-revoked-key")
        .with_header("Idempotency-Key", idempotency_key(call.key))
        .with_body(sent_mail(call.payload["mail"]), content_type="application/json")
        .will_respond_with(401)
        .with_body(error_body(ErrorCode.UNAUTHORIZED), content_type="application/json")
    )
    async with contract.client(CommunicationClient, api_key="a-revoked-key") as mails:
        with pytest.raises(UpstreamUnauthorized):
            await deliver(auth_db, storage.outbox, call, delivery_handlers(runtime(auth_db, communication=mails)))
    assert await queued_calls(auth_db, storage.outbox, SEND_EMAIL) == [call]
