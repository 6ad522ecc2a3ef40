"""The generated user client against the real user service, over HTTP."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from solo60 import correlation
from solo60.clients import ClientConfig, UpstreamConflict, UpstreamNotFound, UpstreamUnauthorized, UserClient
from solo60.contracts.user import CreateUser, Role, RoleCheck, UpdateUser, User, UserStatus


@pytest.fixture
async def users(user_service_url) -> AsyncIterator[UserClient]:
    async with UserClient(
        ClientConfig.from_env("user", caller="auth", environ={"USER_SERVICE_URL": user_service_url})
    ) as client:
        yield client


def unique_email() -> str:
    return f"ada-{uuid.uuid4().hex[:8]}@example.com"


async def test_a_created_user_reads_back_by_id_and_by_email(users) -> None:
    email = unique_email()
    created = await users.create_user(CreateUser(email=email, name="Ada Lovelace", roles=[Role.MEMBER, Role.GYM_ADMIN]))

    by_id = await users.get_user(created.id)
    by_email = await users.get_user_by_email(email=email.upper())

    assert isinstance(created, User)
    assert by_id == created == by_email
    assert created.status is UserStatus.ACTIVE
    assert created.created_at.tzinfo is not None
    assert set(created.roles) == {Role.MEMBER, Role.GYM_ADMIN}


async def test_role_checks_answer_for_roles_held_and_not_held(users) -> None:
    created = await users.create_user(CreateUser(email=unique_email(), name="Grace"))

    held = await users.check_role(created.id, Role.MEMBER)
    not_held = await users.check_role(created.id, Role.PLATFORM_ADMIN)

    assert held == RoleCheck(user_id=created.id, role=Role.MEMBER, has_role=True)
    assert not_held.has_role is False


async def test_an_update_returns_the_changed_user(users) -> None:
    created = await users.create_user(CreateUser(email=unique_email(), name="Grace"))
    changed_at = datetime(2025, 5, 6, 7, 8, 9, tzinfo=UTC)

    updated = await users.update_user(created.id, UpdateUser(email_verified=True, password_changed_at=changed_at))

    assert updated.email_verified is True
    assert updated.password_changed_at == changed_at
    assert (await users.get_user(created.id)).email_verified is True


async def test_an_unknown_user_is_not_found_under_the_callers_correlation_id(users) -> None:
    token = correlation.correlation_id.set("lookup-123")
    try:
        with pytest.raises(UpstreamNotFound) as caught:
            await users.get_user("nobody-here")
    finally:
        correlation.correlation_id.reset(token)

    assert caught.value.correlation_id == "lookup-123"
    assert "nobody-here" in caught.value.message


async def test_a_second_user_with_the_same_email_is_a_conflict(users) -> None:
    email = unique_email()
    await users.create_user(CreateUser(email=email, name="Ada"))

    with pytest.raises(UpstreamConflict):
        await users.create_user(CreateUser(email=email.upper(), name="Ada again"))


async def test_un_verifying_an_email_is_a_conflict(users) -> None:
    created = await users.create_user(CreateUser(email=unique_email(), name="Ada", email_verified=True))

    with pytest.raises(UpstreamConflict, match="cannot be marked unverified"):
        await users.update_user(created.id, UpdateUser(email_verified=False))


async def test_a_key_the_service_does_not_accept_is_unauthorized(user_service_url) -> None:
    async with UserClient(ClientConfig(user_service_url, caller="intruder", api_key="not-a-key")) as intruder:
        with pytest.raises(UpstreamUnauthorized) as caught:
            await intruder.get_user("123")

    assert caught.value.status == 401
    assert caught.value.attempts == 1
