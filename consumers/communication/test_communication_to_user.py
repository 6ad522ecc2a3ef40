"""What the communication service relies on from the user service: the address a `userId` mail goes to.

A 404 means the mail can never be delivered (the message fails at once); any other failure
is retried later, so the two must stay apart. Each test runs communication's own lookup
(`UserServiceDirectory.email_of`, what the recipient cache asks on a miss) with the generated
client pointed at the mock, and checks what communication makes of the answer.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from solo60.clients import UserClient
from solo60.contracts.errors import ErrorCode
from solo60.contracts.user import Role, User, UserStatus
from solo60.harness.made.contract_test import ContractTest
from solo60.harness.made.matchers import email, error_body, shape_of
from solo60.services.communication.recipients import DirectoryUnavailable, UnknownRecipient
from solo60.services.communication.user_directory import UserServiceDirectory

CONSUMER = "communication"
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


async def test_a_user_id_resolves_to_the_users_address(contract: ContractTest) -> None:
    (
        contract.request("a request for the address of a user", "GET", "/internal/users/123")
        .given("a user exists", userId="123", email="ada@example.com")
        .will_respond_with(200)
        .with_body({**shape_of(ADA), "email": email("ada@example.com")}, content_type="application/json")
    )
    async with contract.client(UserClient) as users:
        address = await UserServiceDirectory(users).email_of("123")
    assert address == "ada@example.com"


async def test_an_unknown_user_id_is_not_found_so_the_mail_fails_for_good(contract: ContractTest) -> None:
    (
        contract.request("a request for the address of a user who does not exist", "GET", "/internal/users/999")
        .given("no user exists")
        .will_respond_with(404)
        .with_body(error_body(ErrorCode.NOT_FOUND), content_type="application/json")
    )
    async with contract.client(UserClient) as users:
        with pytest.raises(UnknownRecipient):
            await UserServiceDirectory(users).email_of("999")


async def test_an_address_lookup_with_a_revoked_service_key_is_unauthorized_and_retried_later(
    contract: ContractTest,
) -> None:
    (
        contract.request(
            "a request for a user's address with a revoked service key",
            "GET",
            "/internal/users/123",
            authenticated=False,
        )
        .given("a user exists", userId="123", email="ada@example.com")
        .with_header("x-api-key", "a-revoked-key")
        .will_respond_with(401)
        .with_body(error_body(ErrorCode.UNAUTHORIZED), content_type="application/json")
    )
    async with contract.client(UserClient, api_key="a-revoked-key") as users:
        with pytest.raises(DirectoryUnavailable, match=r"Unauthorized|401"):  # retried later, not failed for good
            await UserServiceDirectory(users).email_of("123")
