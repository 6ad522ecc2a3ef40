"""The account routes of the auth service on its own: what it refuses, and what it does without its upstreams."""

from __future__ import annotations

import httpx
import pytest
import sqlalchemy as sa

from solo60.services.auth import storage
from solo60.services.auth.mail_outbox import greeting
from solo60.services.auth.tokens import token_digest
from solo60.services.kit.outbox import PENDING
from solo60.services.kit.server import bind_socket
from tests.helpers import assert_error, set_state
from tests.services.auth.conftest import FAST_RELAY
from tests.services.communication.smtp_server import eventually

SIGNUP = "/internal/auth/signup"
ADA = {"email": "ada@example.com", "name": "Ada Lovelace", "password": "correct horse battery"}
KEY = {"Idempotency-Key": "k-1"}


def nowhere() -> str:
    """A URL where nothing listens."""
    sock = bind_socket(0)
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"


def db(client: httpx.AsyncClient):
    return client.app.state.runtime.db  # type: ignore[attr-defined]


async def outbox_rows(client: httpx.AsyncClient) -> list:
    async with db(client).read() as session:
        return list(await session.execute(sa.select(storage.outbox).order_by(storage.outbox.c.id)))


@pytest.mark.parametrize(
    ("body", "headers", "field"),
    [
        ({**ADA, "password": "short"}, KEY, "body.password"),
        ({**ADA, "email": "not-an-address"}, KEY, "body.email"),
        ({**ADA, "admin": True}, KEY, "body.admin"),
        ({"email": ADA["email"], "name": ADA["name"]}, KEY, "body.password"),
        (ADA, {}, "header.Idempotency-Key"),
    ],
)
async def test_a_malformed_signup_is_refused_naming_the_field(
    auth: httpx.AsyncClient, body: dict, headers: dict, field: str
) -> None:
    error = assert_error(await auth.post(SIGNUP, json=body, headers=headers), 400, "VALIDATION_ERROR")

    assert field in [detail.field for detail in error.details or []]


async def test_signup_without_a_configured_user_service_is_503_naming_the_variable(auth: httpx.AsyncClient) -> None:
    error = assert_error(await auth.post(SIGNUP, json=ADA, headers=KEY), 503, "UPSTREAM_UNAVAILABLE")

    assert "USER_SERVICE_URL" in error.message
    assert await outbox_rows(auth) == []


async def test_signup_while_the_user_service_is_down_is_503_and_the_key_stays_usable(serve) -> None:
    async with serve("auth", environ={**FAST_RELAY, "USER_SERVICE_URL": nowhere()}) as auth:
        first = await auth.post(SIGNUP, json=ADA, headers=KEY)
        again = await auth.post(SIGNUP, json=ADA, headers=KEY)

    assert_error(first, 503, "UPSTREAM_UNAVAILABLE")
    assert_error(again, 503, "UPSTREAM_UNAVAILABLE")  # not a replay: a failure does not use the key up


async def test_a_password_reset_request_without_the_user_service_is_503_for_every_address(
    auth: httpx.AsyncClient,
) -> None:
    await set_state(auth, "an account exists", email="ada@example.com")

    known = await auth.post("/internal/auth/password-reset", json={"email": "ada@example.com"}, headers=KEY)
    unknown = await auth.post("/internal/auth/password-reset", json={"email": "bob@example.com"}, headers=KEY)

    assert_error(known, 503, "UPSTREAM_UNAVAILABLE")
    assert_error(unknown, 503, "UPSTREAM_UNAVAILABLE")


async def test_a_confirmed_reset_queues_the_user_update_and_the_mail_until_their_services_are_configured(
    auth: httpx.AsyncClient,
) -> None:
    await set_state(auth, "a password reset link was mailed", userId="42", token="reset-token")

    response = await auth.post(
        "/internal/auth/password-reset/confirm",
        json={"token": "reset-token", "password": "brand new secret"},
        headers=KEY,
    )

    assert response.status_code == 200, response.text

    async def waiting_with_reasons() -> list:
        rows = await outbox_rows(auth)
        return rows if len(rows) == 2 and all(row.last_error for row in rows) else []

    rows = await eventually(waiting_with_reasons, within=10, what="both messages to be tried")
    assert {row.operation: row.status for row in rows} == {"send-email": PENDING, "update-user": PENDING}
    assert {row.operation: row.payload for row in rows}["update-user"] == {
        "userId": "42",
        "changes": {"passwordChangedAt": response.json()["passwordChangedAt"]},
    }
    errors = {row.operation: row.last_error for row in rows}
    assert "COMMUNICATION_SERVICE_URL is not set" in errors["send-email"]
    assert "USER_SERVICE_URL is not set" in errors["update-user"]


@pytest.mark.parametrize(
    ("state_params", "status", "code", "says"),
    [
        ({"spent": "used"}, 409, "CONFLICT", "already used"),
        ({"spent": "expired"}, 409, "CONFLICT", "expired"),
        ({"token": "another-token"}, 404, "NOT_FOUND", "not valid"),
    ],
)
@pytest.mark.parametrize(
    ("state", "path", "extra"),
    [
        ("a password reset link was mailed", "/internal/auth/password-reset/confirm", {"password": "brand new secret"}),
        ("an email confirmation link was mailed", "/internal/auth/verify-email", {}),
    ],
)
async def test_a_spent_or_unknown_link_is_refused_saying_why(
    auth: httpx.AsyncClient, state: str, path: str, extra: dict, state_params: dict, status: int, code: str, says: str
) -> None:
    await set_state(auth, state, **state_params)

    response = await auth.post(path, json={"token": "mailed-token-123", **extra}, headers=KEY)

    assert says in assert_error(response, status, code).message
    assert await outbox_rows(auth) == []


async def test_a_token_meant_for_a_reset_does_not_verify_an_email(auth: httpx.AsyncClient) -> None:
    await set_state(auth, "a password reset link was mailed", token="reset-token")

    response = await auth.post("/internal/auth/verify-email", json={"token": "reset-token"}, headers=KEY)

    assert_error(response, 404, "NOT_FOUND")


async def test_verification_while_the_user_service_is_down_is_503_and_the_link_stays_usable(serve) -> None:
    async with serve("auth", environ={**FAST_RELAY, "USER_SERVICE_URL": nowhere()}) as auth:
        await set_state(auth, "an email confirmation link was mailed", token="confirm-token")

        response = await auth.post("/internal/auth/verify-email", json={"token": "confirm-token"}, headers=KEY)

        assert_error(response, 503, "UPSTREAM_UNAVAILABLE")
        async with db(auth).read() as session:
            token = await storage.find_one_time_token(session, token_digest("confirm-token"))
        assert token is not None
        assert token.used_at is None


async def test_a_name_with_control_characters_is_refused_before_anything_is_created(serve) -> None:
    async with serve("auth", environ={**FAST_RELAY, "USER_SERVICE_URL": nowhere()}) as auth:
        response = await auth.post(SIGNUP, json={**ADA, "name": "Ada\u0007Lovelace"}, headers=KEY)

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert [detail.field for detail in error.details or []] == ["body.name"]


@pytest.mark.parametrize(
    ("name", "greeted"),
    [("Ada Lovelace", "Ada Lovelace"), ("Ada\u0007Love\nlace", "Ada Love lace"), ("\u0000\u001f", "there")],
)
def test_a_name_from_the_user_service_is_greeted_without_control_characters(name: str, greeted: str) -> None:
    assert greeting(name) == greeted
