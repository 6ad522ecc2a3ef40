"""What the auth service relies on from the user service: signup, lookup, verification.

Each test runs auth's own flow with its generated user client pointed at the mock: a signup
creates the user (and takes over a user an interrupted signup left, refusing a verified one),
a password reset looks the member up by address (an unknown address is answered the same),
an email verification marks the user verified, and a confirmed reset records when the
password changed through auth's outbox. The invalid-email and revoked-key interactions record
what the user service guarantees a broken or outdated caller, sent as such a caller would.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pact import match

from consumers.auth.examples import ADA, a_mailed_token, an_account, runtime
from solo60.clients import UpstreamUnauthorized, UpstreamValidationFailed, UserClient
from solo60.contracts.auth import PasswordResetConfirmation, PasswordResetRequest, Signup, VerifyEmail
from solo60.contracts.errors import ErrorCode
from solo60.contracts.user import CreateUser, Role, User, UserStatus
from solo60.harness.made.consumer_database import deliver, queued_calls
from solo60.harness.made.contract_test import ContractTest
from solo60.harness.made.matchers import email, error_body, like_json, shape_of, timestamp
from solo60.services import kit
from solo60.services.auth import storage
from solo60.services.auth.email_verification import verify_email
from solo60.services.auth.mail_outbox import SEND_EMAIL, UPDATE_USER, delivery_handlers
from solo60.services.auth.password_reset import ACCEPTED, confirm_reset, request_reset
from solo60.services.auth.signup import sign_up
from solo60.services.auth.tokens import Purpose
from solo60.services.kit.database import Database

CONSUMER = "auth"
PROVIDER = "user"

ADA_USER = User(
    id="123",
    email="ada@example.com",
    name="Ada Lovelace",
    roles=[Role.MEMBER],
    status=UserStatus.ACTIVE,
    email_verified=False,
    created_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
    updated_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
)
ADA_SIGNS_UP = Signup(email=ADA["email"], name=ADA["name"], password="correct horse battery")
CREATE_ADA = {"email": email(ADA["email"]), "name": match.str(ADA["name"])}
ADA_EXISTS = {"userId": ADA["userId"], "email": ADA["email"]}
ANSWERED = ACCEPTED.model_dump(mode="json", by_alias=True)
"""What auth answers every password-reset request, mail or no mail."""


def _lookup(contract: ContractTest, description: str, *, verified: bool = False) -> None:
    (
        contract.request(description, "GET", "/internal/users/by-email")
        .given("a user exists", **ADA_EXISTS, emailVerified=verified)
        .with_query_parameter("email", ADA["email"])
        .will_respond_with(200)
        .with_body({**shape_of(ADA_USER), "emailVerified": verified}, content_type="application/json")
    )


async def test_signup_creates_the_user(contract: ContractTest, auth_db: Database) -> None:
    (
        contract.request("a signup creating a user", "POST", "/internal/users")
        .given("no user exists")
        .with_body(CREATE_ADA, content_type="application/json")
        .will_respond_with(201)
        .with_body(shape_of(ADA_USER), content_type="application/json")
    )
    async with contract.client(UserClient) as users:
        reply = await sign_up(runtime(auth_db, users=users), ADA_SIGNS_UP, "signup-1")
    assert reply.status == 201
    assert reply.body["userId"] == "123"
    assert [call.payload["mail"]["to"] for call in await queued_calls(auth_db, storage.outbox, SEND_EMAIL)] == [
        {"userId": "123"}
    ]


async def test_a_signup_finding_its_address_taken_by_an_interrupted_signup_takes_that_user_over(
    contract: ContractTest, auth_db: Database
) -> None:
    """409, then the lookup: an unverified user without credentials here is an earlier signup that broke off."""
    (
        contract.request("a signup with an email another user has", "POST", "/internal/users")
        .given("a user exists", **ADA_EXISTS)
        .with_body(CREATE_ADA, content_type="application/json")
        .will_respond_with(409)
        .with_body(error_body(ErrorCode.CONFLICT), content_type="application/json")
    )
    _lookup(contract, "a lookup of a user by email")
    async with contract.client(UserClient) as users:
        reply = await sign_up(runtime(auth_db, users=users), ADA_SIGNS_UP, "signup-1")
    assert reply.status == 201
    assert reply.body["userId"] == "123"


async def test_a_signup_for_a_verified_members_address_is_a_conflict(contract: ContractTest, auth_db: Database) -> None:
    (
        contract.request("a signup with the email of a verified user", "POST", "/internal/users")
        .given("a user exists", **ADA_EXISTS, emailVerified=True)
        .with_body(CREATE_ADA, content_type="application/json")
        .will_respond_with(409)
        .with_body(error_body(ErrorCode.CONFLICT), content_type="application/json")
    )
    _lookup(contract, "a lookup of a verified user by email", verified=True)
    async with contract.client(UserClient) as users:
        with pytest.raises(kit.Conflict, match="already exists"):
            await sign_up(runtime(auth_db, users=users), ADA_SIGNS_UP, "signup-1")


async def test_signup_with_an_invalid_email_is_refused_with_field_details(contract: ContractTest) -> None:
    (
        contract.request("a signup with an invalid email", "POST", "/internal/users")
        .given("no user exists")
        .with_body({"email": "not-an-email", "name": "Ada"}, content_type="application/json")
        .will_respond_with(400)
        .with_body(error_body(ErrorCode.VALIDATION_ERROR, with_details=True), content_type="application/json")
    )
    # A body the client did not validate, as an auth service on an older, looser contract would send.
    unchecked = CreateUser.model_construct(email="not-an-email", name="Ada")
    async with contract.client(UserClient) as users:
        with pytest.raises(UpstreamValidationFailed) as refused:
            await users.create_user(unchecked)
    assert refused.value.details


async def test_a_signup_with_a_revoked_service_key_is_unauthorized(contract: ContractTest) -> None:
    (
        contract.request("a signup with a revoked service key", "POST", "/internal/users", authenticated=False)
        .given("no user exists")
        .with_header("x-api-key", "a-revoked-key")
        .with_body({"email": email("ada@example.com"), "name": match.str("Ada")}, content_type="application/json")
        .will_respond_with(401)
        .with_body(error_body(ErrorCode.UNAUTHORIZED), content_type="application/json")
    )
    async with contract.client(UserClient, api_key="a-revoked-key") as users:
        with pytest.raises(UpstreamUnauthorized):
            await users.create_user(CreateUser(email="ada@example.com", name="Ada"))


async def test_a_password_reset_looks_the_member_up_by_email_and_mails_the_link(
    contract: ContractTest, auth_db: Database
) -> None:
    await an_account(auth_db)
    _lookup(contract, "a lookup of a member by email for a password reset")
    async with contract.client(UserClient) as users:
        reply = await request_reset(runtime(auth_db, users=users), PasswordResetRequest(email=ADA["email"]), "r-1")
    assert reply.body == ANSWERED
    assert len(await queued_calls(auth_db, storage.outbox, SEND_EMAIL)) == 1


async def test_a_password_reset_for_an_unknown_email_finds_no_user_and_answers_the_same(
    contract: ContractTest, auth_db: Database
) -> None:
    (
        contract.request("a lookup of an email no user has", "GET", "/internal/users/by-email")
        .given("no user exists")
        .with_query_parameter("email", "nobody@example.com")
        .will_respond_with(404)
        .with_body(error_body(ErrorCode.NOT_FOUND), content_type="application/json")
    )
    async with contract.client(UserClient) as users:
        reply = await request_reset(
            runtime(auth_db, users=users), PasswordResetRequest(email="nobody@example.com"), "r-1"
        )
    assert reply.body == ANSWERED  # no one can tell from the answer whether the address has an account
    assert await queued_calls(auth_db, storage.outbox) == []


async def test_email_verification_marks_the_user_verified(contract: ContractTest, auth_db: Database) -> None:
    await an_account(auth_db)
    token = await a_mailed_token(auth_db, Purpose.EMAIL_VERIFICATION)
    verified = ADA_USER.model_copy(update={"email_verified": True})
    (
        contract.request("marking a user's email verified", "PATCH", "/internal/users/123")
        .given("a user exists", **ADA_EXISTS)
        .with_body({"emailVerified": True}, content_type="application/json")
        .will_respond_with(200)
        .with_body({**shape_of(verified), "emailVerified": True}, content_type="application/json")
    )
    async with contract.client(UserClient) as users:
        reply = await verify_email(runtime(auth_db, users=users), VerifyEmail(token=token), "v-1")
    assert reply.body["emailVerified"] is True


async def test_verifying_for_a_user_who_is_gone_is_not_found(contract: ContractTest, auth_db: Database) -> None:
    gone = {"userId": "999", "email": "gone@example.com", "name": "Gone"}
    await an_account(auth_db, gone)
    token = await a_mailed_token(auth_db, Purpose.EMAIL_VERIFICATION, gone)
    (
        contract.request("marking an unknown user verified", "PATCH", "/internal/users/999")
        .given("no user exists")
        .with_body({"emailVerified": True}, content_type="application/json")
        .will_respond_with(404)
        .with_body(error_body(ErrorCode.NOT_FOUND), content_type="application/json")
    )
    async with contract.client(UserClient) as users:
        with pytest.raises(kit.NotFound, match="no longer exists"):
            await verify_email(runtime(auth_db, users=users), VerifyEmail(token=token), "v-1")


async def test_a_confirmed_password_reset_records_when_the_password_changed(
    contract: ContractTest, auth_db: Database
) -> None:
    """The change is queued with the new password and carried out by auth's relay handler (PATCH, so a
    redelivery changes nothing more)."""
    await an_account(auth_db)
    token = await a_mailed_token(auth_db, Purpose.PASSWORD_RESET)
    await confirm_reset(runtime(auth_db), PasswordResetConfirmation(token=token, password="a new one, long"), "c-1")
    (call,) = await queued_calls(auth_db, storage.outbox, UPDATE_USER)
    changes = call.payload["changes"]
    assert set(changes) == {"passwordChangedAt"}
    changed = ADA_USER.model_copy(update={"password_changed_at": datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)})
    (
        contract.request("recording a password change", "PATCH", f"/internal/users/{call.payload['userId']}")
        .given("a user exists", **ADA_EXISTS)
        .with_body(
            {**like_json(changes), "passwordChangedAt": timestamp("2025-03-04T05:06:07Z")},
            content_type="application/json",
        )
        .will_respond_with(200)
        .with_body(shape_of(changed), content_type="application/json")
    )
    async with contract.client(UserClient) as users:
        await deliver(auth_db, storage.outbox, call, delivery_handlers(runtime(auth_db, users=users)))
    assert await queued_calls(auth_db, storage.outbox, UPDATE_USER) == []
