"""Email verification across the real services: the mailed link marks the user verified, once."""

from __future__ import annotations

from tests.flows.auth.platform import APP_URL, Platform
from tests.flows.auth.test_signup import ADA, CONFIRM_SUBJECT, SIGNUP, link_token
from tests.helpers import assert_error

VERIFY = "/internal/auth/verify-email"
VERIFIED_SUBJECT = "Verify your Solo60 account"


async def test_the_confirmation_link_marks_the_user_verified_and_a_verification_mail_follows(
    platform: Platform,
) -> None:
    auth, users = platform.client("auth"), platform.client("user")
    user_id = (await auth.post(SIGNUP, json=ADA, headers={"Idempotency-Key": "signup-ada"})).json()["userId"]
    token = link_token((await platform.mail_to(ADA["email"], subject=CONFIRM_SUBJECT)).body, "confirm-email")

    response = await auth.post(VERIFY, json={"token": token}, headers={"Idempotency-Key": "v1"})

    assert response.status_code == 200, response.text
    assert response.json() == {"userId": user_id, "emailVerified": True}
    assert (await users.get(f"/internal/users/{user_id}")).json()["emailVerified"] is True
    mail = await platform.mail_to(ADA["email"], subject=VERIFIED_SUBJECT)
    assert f"{APP_URL}/account" in mail.body


async def test_a_confirmation_link_works_once(platform: Platform) -> None:
    auth = platform.client("auth")
    await auth.post(SIGNUP, json=ADA, headers={"Idempotency-Key": "signup-ada"})
    token = link_token((await platform.mail_to(ADA["email"], subject=CONFIRM_SUBJECT)).body, "confirm-email")

    first = await auth.post(VERIFY, json={"token": token}, headers={"Idempotency-Key": "v1"})
    second = await auth.post(VERIFY, json={"token": token}, headers={"Idempotency-Key": "v2"})

    assert first.status_code == 200
    assert "already used" in assert_error(second, 409, "CONFLICT").message
    await platform.mail_to(ADA["email"], subject=VERIFIED_SUBJECT)


async def test_a_signup_interrupted_after_the_user_was_created_can_be_completed_later(platform: Platform) -> None:
    users = platform.client("user")
    orphan = await users.post("/internal/users", json={"email": ADA["email"], "name": ADA["name"]})
    assert orphan.status_code == 201

    response = await platform.client("auth").post(SIGNUP, json=ADA, headers={"Idempotency-Key": "signup-ada"})

    assert response.status_code == 201, response.text
    assert response.json()["userId"] == orphan.json()["id"]
    await platform.mail_to(ADA["email"], subject=CONFIRM_SUBJECT)


async def test_a_verified_user_without_credentials_is_not_taken_over(platform: Platform) -> None:
    users = platform.client("user")
    await users.post("/internal/users", json={"email": ADA["email"], "name": ADA["name"], "emailVerified": True})

    response = await platform.client("auth").post(SIGNUP, json=ADA, headers={"Idempotency-Key": "signup-ada"})

    assert_error(response, 409, "CONFLICT")
