"""What the auth service relies on from the user service: signup, lookup, verification."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pact import match

from solo60.clients import Conflict, NotFound, Unauthorized, UserClient, ValidationFailed
from solo60.contracts.errors import ErrorCode
from solo60.contracts.user import CreateUser, Role, UpdateUser, User, UserStatus
from solo60.harness.made.contract_test import ContractTest
from solo60.harness.made.matchers import email, error_body, shape_of

CONSUMER = "auth"
PROVIDER = "user"

ADA = User(
    id="123",
    email="ada@example.com",
    name="Ada Lovelace",
    roles=[Role.MEMBER],
    status=UserStatus.ACTIVE,
    email_verified=False,
    created_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
    updated_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
)


async def test_signup_creates_the_user(contract: ContractTest) -> None:
    (
        contract.request("a signup creating a user", "POST", "/internal/users")
        .given("no user exists")
        .with_body(
            {"email": email("ada@example.com"), "name": match.str("Ada Lovelace")}, content_type="application/json"
        )
        .will_respond_with(201)
        .with_body(shape_of(ADA), content_type="application/json")
    )
    async with contract.client(UserClient) as users:
        user = await users.create_user(CreateUser(email="ada@example.com", name="Ada Lovelace"))
    assert user.email == "ada@example.com"
    assert user.email_verified is False


async def test_signup_with_a_taken_email_is_a_conflict(contract: ContractTest) -> None:
    (
        contract.request("a signup with an email another user has", "POST", "/internal/users")
        .given("a user exists", userId="123", email="ada@example.com")
        .with_body({"email": "ada@example.com", "name": match.str("Ada Again")}, content_type="application/json")
        .will_respond_with(409)
        .with_body(error_body(ErrorCode.CONFLICT), content_type="application/json")
    )
    async with contract.client(UserClient) as users:
        with pytest.raises(Conflict):
            await users.create_user(CreateUser(email="ada@example.com", name="Ada Again"))


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
        with pytest.raises(ValidationFailed) as refused:
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
        with pytest.raises(Unauthorized):
            await users.create_user(CreateUser(email="ada@example.com", name="Ada"))


async def test_login_flows_look_a_user_up_by_email(contract: ContractTest) -> None:
    (
        contract.request("a lookup of a user by email", "GET", "/internal/users/by-email")
        .given("a user exists", userId="123", email="ada@example.com")
        .with_query_parameter("email", "ada@example.com")
        .will_respond_with(200)
        .with_body(shape_of(ADA), content_type="application/json")
    )
    async with contract.client(UserClient) as users:
        user = await users.get_user_by_email(email="ada@example.com")
    assert user.id == "123"


async def test_a_password_reset_for_an_unknown_email_finds_no_user(contract: ContractTest) -> None:
    (
        contract.request("a lookup of an email no user has", "GET", "/internal/users/by-email")
        .given("no user exists")
        .with_query_parameter("email", "nobody@example.com")
        .will_respond_with(404)
        .with_body(error_body(ErrorCode.NOT_FOUND), content_type="application/json")
    )
    async with contract.client(UserClient) as users:
        with pytest.raises(NotFound):
            await users.get_user_by_email(email="nobody@example.com")


async def test_email_verification_marks_the_user_verified(contract: ContractTest) -> None:
    verified = ADA.model_copy(update={"email_verified": True})
    (
        contract.request("marking a user's email verified", "PATCH", "/internal/users/123")
        .given("a user exists", userId="123", email="ada@example.com")
        .with_body({"emailVerified": True}, content_type="application/json")
        .will_respond_with(200)
        .with_body({**shape_of(verified), "emailVerified": True}, content_type="application/json")
    )
    async with contract.client(UserClient) as users:
        user = await users.update_user("123", UpdateUser(email_verified=True))
    assert user.email_verified is True


async def test_a_password_reset_records_when_the_password_changed(contract: ContractTest) -> None:
    changed_at = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
    changed = ADA.model_copy(update={"password_changed_at": changed_at})
    (
        contract.request("recording a password change", "PATCH", "/internal/users/123")
        .given("a user exists", userId="123", email="ada@example.com")
        .with_body({"passwordChangedAt": "2025-03-04T05:06:07Z"}, content_type="application/json")
        .will_respond_with(200)
        .with_body(shape_of(changed), content_type="application/json")
    )
    async with contract.client(UserClient) as users:
        user = await users.update_user("123", UpdateUser(password_changed_at=changed_at))
    assert user.password_changed_at == changed_at


async def test_verifying_an_unknown_user_is_not_found(contract: ContractTest) -> None:
    (
        contract.request("marking an unknown user verified", "PATCH", "/internal/users/999")
        .given("no user exists")
        .with_body({"emailVerified": True}, content_type="application/json")
        .will_respond_with(404)
        .with_body(error_body(ErrorCode.NOT_FOUND), content_type="application/json")
    )
    async with contract.client(UserClient) as users:
        with pytest.raises(NotFound):
            await users.update_user("999", UpdateUser(email_verified=True))
