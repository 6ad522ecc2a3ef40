"""What the session service relies on from the user service: who may book, and who may decide on a booking."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from solo60.clients import UpstreamNotFound, UpstreamUnauthorized, UserClient
from solo60.contracts.errors import ErrorCode
from solo60.contracts.user import Role, RoleCheck, User, UserStatus
from solo60.harness.made.contract_test import ContractTest
from solo60.harness.made.matchers import email, error_body, shape_of

CONSUMER = "session"
PROVIDER = "user"

ADA = User(
    id="123",
    email="ada@example.com",
    name="Ada Lovelace",
    roles=[Role.MEMBER],
    status=UserStatus.ACTIVE,
    email_verified=True,
    created_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
    updated_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
)


async def test_an_active_member_may_book(contract: ContractTest) -> None:
    (
        contract.request("a request for an active member", "GET", "/internal/users/123")
        .given("a user exists", userId="123", email="ada@example.com", status="ACTIVE", roles="MEMBER")
        .will_respond_with(200)
        .with_body(
            {**shape_of(ADA), "email": email("ada@example.com"), "status": "ACTIVE"}, content_type="application/json"
        )
    )
    async with contract.client(UserClient) as users:
        user = await users.get_user("123")
    assert user.status is UserStatus.ACTIVE
    assert user.name == "Ada Lovelace"  # the approval request names the member


async def test_a_suspended_member_is_told_apart_from_an_active_one(contract: ContractTest) -> None:
    """Booking refuses a suspended member, so the status must come back as the word SUSPENDED."""
    suspended = ADA.model_copy(update={"status": UserStatus.SUSPENDED})
    (
        contract.request("a request for a suspended member", "GET", "/internal/users/123")
        .given("a user exists", userId="123", email="ada@example.com", status="SUSPENDED")
        .will_respond_with(200)
        .with_body({**shape_of(suspended), "status": "SUSPENDED"}, content_type="application/json")
    )
    async with contract.client(UserClient) as users:
        user = await users.get_user("123")
    assert user.status is UserStatus.SUSPENDED


async def test_booking_for_an_unknown_user_is_not_found(contract: ContractTest) -> None:
    (
        contract.request("a request for a user who does not exist", "GET", "/internal/users/999")
        .given("no user exists")
        .will_respond_with(404)
        .with_body(error_body(ErrorCode.NOT_FOUND), content_type="application/json")
    )
    async with contract.client(UserClient) as users:
        with pytest.raises(UpstreamNotFound):
            await users.get_user("999")


async def test_a_gym_admin_may_approve_a_booking(contract: ContractTest) -> None:
    (
        contract.request("a role check of a gym admin", "GET", "/internal/users/42/roles/GYM_ADMIN")
        .given("a user holds a role", userId="42", role="GYM_ADMIN")
        .will_respond_with(200)
        .with_body(
            {**shape_of(RoleCheck(user_id="42", role=Role.GYM_ADMIN, has_role=True)), "hasRole": True},
            content_type="application/json",
        )
    )
    async with contract.client(UserClient) as users:
        check = await users.check_role("42", Role.GYM_ADMIN)
    assert check.has_role is True


async def test_a_platform_admin_may_decide_for_any_gym(contract: ContractTest) -> None:
    (
        contract.request("a role check of a platform admin", "GET", "/internal/users/7/roles/PLATFORM_ADMIN")
        .given("a user holds a role", userId="7", role="PLATFORM_ADMIN")
        .will_respond_with(200)
        .with_body(
            {**shape_of(RoleCheck(user_id="7", role=Role.PLATFORM_ADMIN, has_role=True)), "hasRole": True},
            content_type="application/json",
        )
    )
    async with contract.client(UserClient) as users:
        check = await users.check_role("7", Role.PLATFORM_ADMIN)
    assert check.has_role is True


async def test_a_plain_member_may_not_decide_on_a_booking(contract: ContractTest) -> None:
    """Someone other than the gym's admin may decide only as a platform admin, which a member is not."""
    (
        contract.request(
            "a role check of a member who is no platform admin", "GET", "/internal/users/123/roles/PLATFORM_ADMIN"
        )
        .given("a user exists", userId="123", roles="MEMBER")
        .will_respond_with(200)
        .with_body(
            {**shape_of(RoleCheck(user_id="123", role=Role.PLATFORM_ADMIN, has_role=False)), "hasRole": False},
            content_type="application/json",
        )
    )
    async with contract.client(UserClient) as users:
        check = await users.check_role("123", Role.PLATFORM_ADMIN)
    assert check.has_role is False


async def test_a_role_check_of_an_unknown_user_is_not_found(contract: ContractTest) -> None:
    (
        contract.request("a role check of a user who does not exist", "GET", "/internal/users/999/roles/GYM_ADMIN")
        .given("no user exists")
        .will_respond_with(404)
        .with_body(error_body(ErrorCode.NOT_FOUND), content_type="application/json")
    )
    async with contract.client(UserClient) as users:
        with pytest.raises(UpstreamNotFound):
            await users.check_role("999", Role.GYM_ADMIN)


async def test_a_user_lookup_with_a_revoked_service_key_is_unauthorized(contract: ContractTest) -> None:
    (
        contract.request(
            "a request for a user with a revoked service key", "GET", "/internal/users/123", authenticated=False
        )
        .given("a user exists", userId="123")
        .with_header("x-api-key", "a-revoked-key")
        .will_respond_with(401)
        .with_body(error_body(ErrorCode.UNAUTHORIZED), content_type="application/json")
    )
    async with contract.client(UserClient, api_key="a-revoked-key") as users:
        with pytest.raises(UpstreamUnauthorized):
            await users.get_user("123")
