"""The user service's routes: every success and failure path, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.helpers import assert_error, set_state


@pytest.fixture
async def users(serve) -> AsyncIterator[httpx.AsyncClient]:
    async with serve("user") as client:
        yield client


async def create(users: httpx.AsyncClient, email: str = "ada@example.com", **fields: object) -> dict:
    response = await users.post("/internal/users", json={"email": email, "name": "Ada Lovelace", **fields})
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_created_user_can_be_read_back_by_id(users: httpx.AsyncClient) -> None:
    created = await create(users, roles=["MEMBER", "GYM_ADMIN"])

    response = await users.get(f"/internal/users/{created['id']}")

    assert response.status_code == 200
    user = response.json()
    assert user == created
    assert user["email"] == "ada@example.com"
    assert user["roles"] == ["GYM_ADMIN", "MEMBER"]
    assert user["status"] == "ACTIVE"
    assert user["emailVerified"] is False
    assert user["createdAt"].endswith("Z")


async def test_an_unknown_user_is_not_found(users: httpx.AsyncClient) -> None:
    body = assert_error(await users.get("/internal/users/123"), 404, "NOT_FOUND")
    assert "123" in body.message


async def test_a_user_is_found_by_email_whatever_its_case(users: httpx.AsyncClient) -> None:
    created = await create(users, email="Ada@Example.com")

    response = await users.get("/internal/users/by-email", params={"email": "ada@EXAMPLE.com"})

    assert response.status_code == 200
    assert response.json()["id"] == created["id"]
    assert response.json()["email"] == "Ada@Example.com"


async def test_looking_up_an_unknown_email_is_not_found(users: httpx.AsyncClient) -> None:
    assert_error(await users.get("/internal/users/by-email", params={"email": "nobody@example.com"}), 404, "NOT_FOUND")


async def test_looking_up_by_email_without_an_email_names_the_missing_parameter(users: httpx.AsyncClient) -> None:
    body = assert_error(await users.get("/internal/users/by-email"), 400, "VALIDATION_ERROR")
    assert body.details is not None
    assert [detail.field for detail in body.details] == ["query.email"]


async def test_a_second_user_with_the_same_email_is_a_conflict(users: httpx.AsyncClient) -> None:
    await create(users, email="ada@example.com")
    assert_error(
        await users.post("/internal/users", json={"email": "ADA@example.com", "name": "Other"}), 409, "CONFLICT"
    )


async def test_concurrent_signups_with_one_email_create_exactly_one_user(users: httpx.AsyncClient) -> None:
    responses = await asyncio.gather(
        *(users.post("/internal/users", json={"email": "race@example.com", "name": f"R{i}"}) for i in range(8))
    )

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * 7


async def test_creating_a_user_validates_every_field(users: httpx.AsyncClient) -> None:
    response = await users.post("/internal/users", json={"email": "not-an-email", "name": "", "roles": ["KING"]})

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body.details is not None
    assert {detail.field for detail in body.details} == {"body.email", "body.name", "body.roles.0"}


async def test_creating_a_user_rejects_unknown_fields_and_coerced_types(users: httpx.AsyncClient) -> None:
    unknown = await users.post("/internal/users", json={"email": "a@example.com", "name": "A", "admin": True})
    coerced = await users.post("/internal/users", json={"email": "a@example.com", "name": "A", "emailVerified": "yes"})

    assert_error(unknown, 400, "VALIDATION_ERROR")
    assert_error(coerced, 400, "VALIDATION_ERROR")


async def test_the_role_check_answers_whether_the_user_holds_the_role(users: httpx.AsyncClient) -> None:
    created = await create(users, roles=["GYM_ADMIN"])

    holds = await users.get(f"/internal/users/{created['id']}/roles/GYM_ADMIN")
    lacks = await users.get(f"/internal/users/{created['id']}/roles/PLATFORM_ADMIN")

    assert holds.json() == {"userId": created["id"], "role": "GYM_ADMIN", "hasRole": True}
    assert lacks.json()["hasRole"] is False


async def test_the_role_check_of_an_unknown_user_or_role_fails(users: httpx.AsyncClient) -> None:
    assert_error(await users.get("/internal/users/123/roles/MEMBER"), 404, "NOT_FOUND")
    assert_error(await users.get("/internal/users/123/roles/KING"), 400, "VALIDATION_ERROR")


async def test_marking_an_email_verified_is_kept_and_repeatable(users: httpx.AsyncClient) -> None:
    created = await create(users)

    first = await users.patch(f"/internal/users/{created['id']}", json={"emailVerified": True})
    again = await users.patch(f"/internal/users/{created['id']}", json={"emailVerified": True})

    assert first.status_code == again.status_code == 200
    assert first.json()["emailVerified"] is True
    assert again.json()["updatedAt"] == first.json()["updatedAt"]
    assert (await users.get(f"/internal/users/{created['id']}")).json()["emailVerified"] is True


async def test_a_verified_email_cannot_be_unverified(users: httpx.AsyncClient) -> None:
    created = await create(users, emailVerified=True)
    assert_error(await users.patch(f"/internal/users/{created['id']}", json={"emailVerified": False}), 409, "CONFLICT")


async def test_a_user_can_be_suspended_and_reactivated(users: httpx.AsyncClient) -> None:
    created = await create(users)
    path = f"/internal/users/{created['id']}"

    suspended = await users.patch(path, json={"status": "SUSPENDED"})
    active = await users.patch(path, json={"status": "ACTIVE", "passwordChangedAt": "2025-03-04T05:06:07+01:00"})

    assert suspended.json()["status"] == "SUSPENDED"
    assert active.json()["status"] == "ACTIVE"
    assert active.json()["passwordChangedAt"] == "2025-03-04T04:06:07Z"


async def test_an_update_must_change_something_and_find_its_user(users: httpx.AsyncClient) -> None:
    created = await create(users)
    assert_error(await users.patch(f"/internal/users/{created['id']}", json={}), 400, "VALIDATION_ERROR")
    assert_error(await users.patch("/internal/users/123", json={"status": "SUSPENDED"}), 404, "NOT_FOUND")
    assert_error(
        await users.patch(f"/internal/users/{created['id']}", json={"passwordChangedAt": "2025-03-04T05:06:07"}),
        400,
        "VALIDATION_ERROR",
    )


async def test_provider_states_seed_the_users_consumers_name(users: httpx.AsyncClient) -> None:
    await set_state(users, "a user exists", userId="42", email="grace@example.com", status="SUSPENDED")
    await set_state(users, "a user holds a role", userId="7", role="GYM_ADMIN")

    grace = (await users.get("/internal/users/42")).json()
    assert (grace["email"], grace["status"]) == ("grace@example.com", "SUSPENDED")
    assert (await users.get("/internal/users/7/roles/GYM_ADMIN")).json()["hasRole"] is True


async def test_setting_up_a_state_twice_replaces_its_data_instead_of_failing(users: httpx.AsyncClient) -> None:
    await set_state(users, "a user exists", userId="42")
    await set_state(users, "a user exists", userId="42", name="Second")

    assert (await users.get("/internal/users/42")).json()["name"] == "Second"


async def test_a_time_that_is_no_utc_instant_is_a_validation_error_not_a_crash(users: httpx.AsyncClient) -> None:
    created = await create(users)
    response = await users.patch(
        f"/internal/users/{created['id']}", json={"passwordChangedAt": "0001-01-01T00:00:00+01:00"}
    )
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body.details is not None
    assert body.details[0].field == "body.passwordChangedAt"
