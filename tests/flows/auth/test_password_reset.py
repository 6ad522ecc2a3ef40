"""Password reset across the real services: a link by mail, a new password, the user service told, a confirmation."""

from __future__ import annotations

import sqlalchemy as sa

from solo60.services.auth import accounts, storage
from tests.flows.auth.platform import Platform
from tests.flows.auth.test_signup import ADA, CONFIRM_SUBJECT, link_token
from tests.helpers import assert_error
from tests.services.communication.smtp_server import eventually

RESET = "/internal/auth/password-reset"
CONFIRM = "/internal/auth/password-reset/confirm"
RESET_SUBJECT = "Reset your Solo60 password"
CHANGED_SUBJECT = "Your Solo60 password was changed"
NEW_PASSWORD = "a much better passphrase"
ACCEPTED = {"message": "If the address belongs to an account, a reset link is on its way.", "expiresInMinutes": 60}


async def signed_up(platform: Platform) -> str:
    response = await platform.client("auth").post(
        "/internal/auth/signup", json=ADA, headers={"Idempotency-Key": "signup-ada"}
    )
    assert response.status_code == 201, response.text
    await platform.mail_to(ADA["email"], subject=CONFIRM_SUBJECT)
    return response.json()["userId"]


async def reset_link_token(platform: Platform, key: str = "reset-1") -> str:
    response = await platform.client("auth").post(RESET, json={"email": ADA["email"]}, headers={"Idempotency-Key": key})
    assert response.status_code == 202, response.text
    mail = await platform.mail_to(ADA["email"], subject=RESET_SUBJECT)
    return link_token(mail.body, "reset-password")


async def test_a_reset_link_sets_a_new_password_signs_everyone_out_and_is_confirmed_by_mail(
    platform: Platform,
) -> None:
    user_id = await signed_up(platform)
    auth_db = platform.database("auth")
    async with auth_db.write() as session:
        signed_in = await accounts.issue_access_token(session, user_id=user_id, roles=["MEMBER"])
    auth = platform.client("auth")

    token = await reset_link_token(platform)
    reset_mail = (await platform.mails_to(ADA["email"], subject=RESET_SUBJECT))[0]
    confirmed = await auth.post(
        CONFIRM, json={"token": token, "password": NEW_PASSWORD}, headers={"Idempotency-Key": "c1"}
    )

    assert "within 60 minutes" in reset_mail.body
    assert "Hello Ada Lovelace" in reset_mail.body
    assert confirmed.status_code == 200, confirmed.text
    changed_at = confirmed.json()["passwordChangedAt"]
    assert confirmed.json() == {"userId": user_id, "passwordChangedAt": changed_at}
    await platform.mail_to(ADA["email"], subject=CHANGED_SUBJECT)
    async with auth_db.read() as session:
        assert await accounts.authenticate(session, email=ADA["email"], password=NEW_PASSWORD) == user_id
        assert await accounts.authenticate(session, email=ADA["email"], password=ADA["password"]) is None
    introspection = await auth.post("/internal/auth/verify-token", json={"token": signed_in.token})
    assert introspection.json()["valid"] is False
    users = platform.client("user")

    async def user_told() -> bool:
        user = (await users.get(f"/internal/users/{user_id}")).json()
        return user["passwordChangedAt"] == changed_at

    await eventually(user_told, what="the user service to learn passwordChangedAt")


async def test_an_unknown_address_gets_the_same_answer_and_no_mail(platform: Platform) -> None:
    await signed_up(platform)
    auth = platform.client("auth")

    known = await auth.post(RESET, json={"email": ADA["email"]}, headers={"Idempotency-Key": "r1"})
    unknown = await auth.post(RESET, json={"email": "nobody@example.com"}, headers={"Idempotency-Key": "r2"})

    assert (known.status_code, unknown.status_code) == (202, 202)
    assert known.json() == unknown.json() == ACCEPTED
    await platform.mail_to(ADA["email"], subject=RESET_SUBJECT)
    async with platform.database("auth").read() as session:
        queued = (await session.execute(sa.select(storage.outbox.c.payload))).scalars().all()
    assert [
        payload["templateKey"] if payload.get("scrubbed") else payload["mail"]["templateKey"] for payload in queued
    ] == [
        "EMAIL_CONFIRMATION",
        "PASSWORD_RESET",
    ]
    assert await platform.mails_to("nobody@example.com") == []


async def test_a_reset_link_works_once(platform: Platform) -> None:
    await signed_up(platform)
    token = await reset_link_token(platform)
    auth = platform.client("auth")

    first = await auth.post(CONFIRM, json={"token": token, "password": NEW_PASSWORD}, headers={"Idempotency-Key": "c1"})
    second = await auth.post(
        CONFIRM, json={"token": token, "password": "yet another one"}, headers={"Idempotency-Key": "c2"}
    )

    assert first.status_code == 200
    assert "already used" in assert_error(second, 409, "CONFLICT").message
    await platform.mail_to(ADA["email"], subject=CHANGED_SUBJECT)


async def test_a_retried_confirmation_with_the_same_key_gets_the_first_answer(platform: Platform) -> None:
    await signed_up(platform)
    token = await reset_link_token(platform)
    auth = platform.client("auth")
    body = {"token": token, "password": NEW_PASSWORD}

    first = await auth.post(CONFIRM, json=body, headers={"Idempotency-Key": "c1"})
    retried = await auth.post(CONFIRM, json=body, headers={"Idempotency-Key": "c1"})

    assert (first.status_code, retried.status_code) == (200, 200)
    assert retried.json() == first.json()
    await platform.mail_to(ADA["email"], subject=CHANGED_SUBJECT)


async def test_an_older_link_expires_when_a_new_one_is_requested_and_a_made_up_one_is_not_found(
    platform: Platform,
) -> None:
    await signed_up(platform)
    older = await reset_link_token(platform, key="r1")
    auth = platform.client("auth")
    await auth.post(RESET, json={"email": ADA["email"]}, headers={"Idempotency-Key": "r2"})

    expired = await auth.post(
        CONFIRM, json={"token": older, "password": NEW_PASSWORD}, headers={"Idempotency-Key": "c1"}
    )
    made_up = await auth.post(
        CONFIRM, json={"token": "s60_ot_made-up", "password": NEW_PASSWORD}, headers={"Idempotency-Key": "c2"}
    )

    assert "expired" in assert_error(expired, 409, "CONFLICT").message
    assert "not valid" in assert_error(made_up, 404, "NOT_FOUND").message
