"""The auth service's token introspection: valid tokens say whose they are, anything else says nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import sqlalchemy as sa

from solo60.services.auth import accounts
from tests.helpers import assert_error, set_state

VERIFY = "/internal/auth/verify-token"


@pytest.fixture
async def auth(serve) -> AsyncIterator[httpx.AsyncClient]:
    async with serve("auth") as client:
        yield client


async def introspect(auth: httpx.AsyncClient, token: str) -> dict:
    response = await auth.post(VERIFY, json={"token": token})
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_valid_token_says_whose_it_is_with_roles_and_expiry(auth: httpx.AsyncClient) -> None:
    await set_state(
        auth,
        "a valid token exists",
        token="tok-1",
        userId="42",
        roles="MEMBER,GYM_ADMIN",
        expiresAt="2999-01-02T03:04:05Z",
    )

    assert await introspect(auth, "tok-1") == {
        "valid": True,
        "userId": "42",
        "roles": ["GYM_ADMIN", "MEMBER"],
        "expiresAt": "2999-01-02T03:04:05Z",
    }


async def test_an_issued_token_is_valid_until_it_is_revoked(auth: httpx.AsyncClient) -> None:
    db = auth.app.state.runtime.db  # type: ignore[attr-defined]
    async with db.write() as session:
        issued = await accounts.issue_access_token(session, user_id="7", roles=["MEMBER"])

    before = await introspect(auth, issued.token)
    async with db.write() as session:
        assert await accounts.revoke(session, issued.token) is True
    after = await introspect(auth, issued.token)

    assert before["valid"] is True
    assert before["userId"] == "7"
    assert before["expiresAt"].endswith("Z")
    assert after == {"valid": False, "userId": None, "roles": [], "expiresAt": None}


@pytest.mark.parametrize(
    ("state", "token"),
    [
        ("an expired token exists", "expired-token-123"),
        ("a revoked token exists", "revoked-token-123"),
        ("no token exists", "never-issued"),
    ],
)
async def test_an_expired_revoked_or_unknown_token_is_not_valid_and_reveals_nothing(
    auth: httpx.AsyncClient, state: str, token: str
) -> None:
    await set_state(auth, state)

    assert await introspect(auth, token) == {"valid": False, "userId": None, "roles": [], "expiresAt": None}


async def test_tokens_are_stored_only_as_digests(auth: httpx.AsyncClient) -> None:
    await set_state(auth, "a valid token exists", token="clear-text-secret")
    db = auth.app.state.runtime.db  # type: ignore[attr-defined]

    async with db.read() as session:
        rows = (await session.execute(sa.text("SELECT * FROM access_tokens"))).all()

    assert len(rows) == 1
    assert "clear-text-secret" not in repr(rows)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"token": ""},
        {"token": 123},
        {"token": "has space"},
        {"token": "x" * 4097},
        {"token": "ok", "userId": "42"},
        ["token"],
    ],
    ids=["missing", "empty", "number", "space", "too-long", "unknown-field", "array"],
)
async def test_a_malformed_request_is_refused_with_the_field_named(auth: httpx.AsyncClient, body: object) -> None:
    assert_error(await auth.post(VERIFY, json=body), 400, "VALIDATION_ERROR")


async def test_a_body_that_is_not_json_is_refused(auth: httpx.AsyncClient) -> None:
    not_json = await auth.post(VERIFY, content=b"{token", headers={"content-type": "application/json"})
    form = await auth.post(VERIFY, data={"token": "x"})
    huge = await auth.post(
        VERIFY, content=b'{"token": "' + b"x" * 2_000_000 + b'"}', headers={"content-type": "application/json"}
    )

    assert_error(not_json, 400, "VALIDATION_ERROR")
    assert_error(form, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert_error(huge, 413, "PAYLOAD_TOO_LARGE")


async def test_introspection_only_answers_post(auth: httpx.AsyncClient) -> None:
    response = await auth.get(VERIFY)
    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == "POST"


async def test_a_caller_without_an_accepted_key_is_refused(auth: httpx.AsyncClient) -> None:
    request = auth.build_request("POST", VERIFY, json={"token": "x"})
    del request.headers["x-api-key"]
    missing = await auth.send(request)
    wrong = await auth.post(VERIFY, json={"token": "x"}, headers={"x-api-key": "not-the-key"})

    assert_error(missing, 401, "UNAUTHORIZED")
    assert_error(wrong, 401, "UNAUTHORIZED")


async def test_both_keys_are_accepted_while_a_key_rotates(serve) -> None:
    async with serve("auth", api_keys=("old-key", "new-key")) as auth:
        for key in ("old-key", "new-key"):
            response = await auth.post(VERIFY, json={"token": "x"}, headers={"x-api-key": key})
            assert response.status_code == 200, response.text
        assert_error(await auth.post(VERIFY, json={"token": "x"}), 401, "UNAUTHORIZED")


async def test_setting_a_state_again_replaces_the_token(auth: httpx.AsyncClient) -> None:
    await set_state(auth, "a valid token exists", token="same", userId="1")
    await set_state(auth, "a revoked token exists", token="same", userId="2")

    assert (await introspect(auth, "same"))["valid"] is False


async def test_a_state_with_an_unknown_role_is_refused(auth: httpx.AsyncClient) -> None:
    response = await auth.post(
        "/_pact/provider-states", json={"state": "a valid token exists", "params": {"roles": "KING"}}
    )
    assert_error(response, 400, "VALIDATION_ERROR")
