"""Signup across the real services: the user exists, credentials are kept hashed, a confirmation link is mailed."""

from __future__ import annotations

import re

import sqlalchemy as sa

from solo60.services.auth import storage
from solo60.services.auth.tokens import token_digest
from solo60.services.kit.outbox import DELIVERED, PENDING
from tests.flows.auth.platform import APP_URL, Platform, free_port
from tests.helpers import assert_error
from tests.services.communication.smtp_server import eventually

SIGNUP = "/internal/auth/signup"
CONFIRM_SUBJECT = "Confirm your email address"
ADA = {"email": "ada@example.com", "name": "Ada Lovelace", "password": "correct horse battery"}


def link_token(body: str, page: str) -> str:
    match = re.search(rf"{re.escape(APP_URL)}/{page}\?token=(\S+)", body)
    assert match, f"no {page} link in:\n{body}"
    return match.group(1)


async def outbox_statuses(platform: Platform) -> list[tuple[str, str]]:
    async with platform.database("auth").read() as session:
        rows = await session.execute(sa.select(storage.outbox.c.operation, storage.outbox.c.status))
        return sorted((row.operation, row.status) for row in rows)


async def test_signup_creates_the_user_keeps_a_hash_and_mails_a_confirmation_link(platform: Platform) -> None:
    auth, users = platform.client("auth"), platform.client("user")

    response = await auth.post(SIGNUP, json=ADA, headers={"Idempotency-Key": "signup-ada"})

    assert response.status_code == 201, response.text
    account = response.json()
    assert account == {
        "userId": account["userId"],
        "email": "ada@example.com",
        "name": "Ada Lovelace",
        "emailVerified": False,
    }
    user = (await users.get(f"/internal/users/{account['userId']}")).json()
    assert (user["email"], user["name"], user["emailVerified"]) == ("ada@example.com", "Ada Lovelace", False)
    mail = await platform.mail_to("ada@example.com", subject=CONFIRM_SUBJECT)
    assert "Hello Ada Lovelace" in mail.body
    token = link_token(mail.body, "confirm-email")
    async with platform.database("auth").read() as session:
        credentials = await storage.find_credentials(session, account["userId"])
        pending = await storage.find_one_time_token(session, token_digest(token))
    assert credentials is not None
    assert credentials.password_hash.startswith("scrypt$")
    assert ADA["password"] not in credentials.password_hash
    assert pending is not None
    assert pending.user_id == account["userId"]
    assert pending.used_at is None


async def test_the_mailed_token_is_kept_nowhere_in_clear_once_the_mail_is_handed_over(platform: Platform) -> None:
    auth = platform.client("auth")
    await auth.post(SIGNUP, json=ADA, headers={"Idempotency-Key": "signup-ada"})
    mail = await platform.mail_to("ada@example.com", subject=CONFIRM_SUBJECT)
    token = link_token(mail.body, "confirm-email")

    await eventually(lambda: _all_delivered(platform), what="the outbox to record the delivery")

    async with platform.database("auth").read() as session:
        for table in storage.metadata.sorted_tables:
            for row in await session.execute(sa.select(table)):
                assert token not in repr(tuple(row)), f"the raw token is stored in {table.name}"
                assert ADA["password"] not in repr(tuple(row)), f"the password is stored in {table.name}"


async def test_a_retried_signup_with_the_same_key_answers_the_same_and_mails_once(platform: Platform) -> None:
    auth = platform.client("auth")

    first = await auth.post(SIGNUP, json=ADA, headers={"Idempotency-Key": "signup-ada"})
    again = await auth.post(SIGNUP, json=ADA, headers={"Idempotency-Key": "signup-ada"})

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    await platform.mail_to("ada@example.com", subject=CONFIRM_SUBJECT)
    await eventually(lambda: _all_delivered(platform), what="the outbox to record the delivery")
    assert await outbox_statuses(platform) == [("send-email", DELIVERED)]


async def test_signup_with_a_taken_email_is_a_conflict_and_stores_and_mails_nothing(platform: Platform) -> None:
    auth = platform.client("auth")
    await auth.post(SIGNUP, json=ADA, headers={"Idempotency-Key": "signup-ada"})
    await platform.mail_to("ada@example.com", subject=CONFIRM_SUBJECT)

    again = await auth.post(
        SIGNUP, json={**ADA, "email": "ADA@example.com", "name": "Impostor"}, headers={"Idempotency-Key": "signup-2"}
    )

    assert_error(again, 409, "CONFLICT")
    async with platform.database("auth").read() as session:
        assert await session.scalar(sa.select(sa.func.count()).select_from(storage.CredentialRow)) == 1
    assert await outbox_statuses(platform) == [("send-email", DELIVERED)]  # no second mail was even queued
    assert len(await platform.mails_to("ada@example.com")) == 1


async def test_signup_succeeds_while_the_mail_service_is_down_and_the_mail_arrives_once_it_is_up(
    stage: Platform,
) -> None:
    port = free_port()
    stage.environ["COMMUNICATION_SERVICE_URL"] = f"http://127.0.0.1:{port}"
    await stage.start(["auth", "user"])
    auth = stage.client("auth")

    response = await auth.post(SIGNUP, json=ADA, headers={"Idempotency-Key": "signup-ada"})

    assert response.status_code == 201, response.text
    await eventually(lambda: _retried(stage), what="the relay to try (and fail) to reach communication")
    assert stage.smtp.received == []
    await stage.start(["communication"], ports={"communication": port})
    mail = await stage.mail_to("ada@example.com", subject=CONFIRM_SUBJECT)
    assert link_token(mail.body, "confirm-email").startswith("s60_ot_")


async def test_signup_when_the_user_service_is_down_is_503_and_stores_nothing(stage: Platform) -> None:
    stage.environ["USER_SERVICE_URL"] = f"http://127.0.0.1:{free_port()}"
    await stage.start(["auth", "communication"])

    response = await stage.client("auth").post(SIGNUP, json=ADA, headers={"Idempotency-Key": "signup-ada"})

    assert_error(response, 503, "UPSTREAM_UNAVAILABLE")
    assert await outbox_statuses(stage) == []


async def _all_delivered(platform: Platform) -> bool:
    statuses = await outbox_statuses(platform)
    return bool(statuses) and all(status == DELIVERED for _, status in statuses)


async def _retried(platform: Platform) -> bool:
    async with platform.database("auth").read() as session:
        attempts = await session.scalar(sa.select(storage.outbox.c.attempts).where(storage.outbox.c.status == PENDING))
    return bool(attempts and attempts >= 2)
