"""The account operations behind signup, password reset and email verification, on the service's own database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import sqlalchemy as sa

from solo60.services.auth import accounts, passwords, storage
from solo60.services.auth.tokens import Purpose, token_digest
from solo60.services.kit import Database


@pytest.fixture
async def db(serve) -> AsyncIterator[Database]:
    async with serve("auth") as client:
        yield client.app.state.runtime.db  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def ada_hash() -> str:
    return passwords.hash_password_now("correct horse battery")


async def register(db: Database, ada_hash: str, email: str = "ada@example.com", user_id: str = "u1") -> None:
    async with db.write() as session:
        await accounts.register(session, user_id=user_id, email=email, password_hash=ada_hash)


async def test_registered_credentials_authenticate_only_with_the_right_password(db: Database, ada_hash: str) -> None:
    await register(db, ada_hash, email="Ada@Example.com")

    async with db.read() as session:
        right = await accounts.authenticate(session, email="ada@example.COM", password="correct horse battery")
        wrong = await accounts.authenticate(session, email="ada@example.com", password="wrong horse battery")
        unknown = await accounts.authenticate(session, email="bob@example.com", password="correct horse battery")

    assert (right, wrong, unknown) == ("u1", None, None)


async def test_one_email_address_gets_one_set_of_credentials(db: Database, ada_hash: str) -> None:
    await register(db, ada_hash)
    with pytest.raises(storage.EmailTaken):
        await register(db, ada_hash, email="ADA@example.com", user_id="u2")


async def test_a_verification_token_proves_the_address_once(db: Database) -> None:
    async with db.write() as session:
        issued = await accounts.issue_one_time_token(session, user_id="u1", purpose=Purpose.EMAIL_VERIFICATION)

    async with db.write() as session:
        first = await accounts.verify_email(session, issued.token)
    async with db.write() as session:
        second = await accounts.verify_email(session, issued.token)

    assert (first, second) == ("u1", None)


async def test_a_single_use_token_redeemed_concurrently_works_for_exactly_one_caller(db: Database) -> None:
    async with db.write() as session:
        issued = await accounts.issue_one_time_token(session, user_id="u1", purpose=Purpose.EMAIL_VERIFICATION)

    async def redeem() -> str | None:
        async with db.write() as session:
            return await accounts.verify_email(session, issued.token)

    results = await asyncio.gather(*(redeem() for _ in range(6)))

    assert (results.count("u1"), results.count(None)) == (1, 5)


async def test_an_expired_or_misused_token_redeems_nothing(db: Database) -> None:
    async with db.write() as session:
        expired = await accounts.issue_one_time_token(
            session, user_id="u1", purpose=Purpose.EMAIL_VERIFICATION, lifetime=timedelta(seconds=-1)
        )
        reset = await accounts.issue_one_time_token(session, user_id="u1", purpose=Purpose.PASSWORD_RESET)

    async with db.write() as session:
        assert await accounts.verify_email(session, expired.token) is None
        assert await accounts.verify_email(session, reset.token) is None  # a reset link is no verification link
        assert await accounts.verify_email(session, "s60_ot_never-issued") is None


async def test_a_new_token_makes_the_earlier_unused_one_worthless(db: Database) -> None:
    async with db.write() as session:
        older = await accounts.issue_one_time_token(session, user_id="u1", purpose=Purpose.PASSWORD_RESET)
    async with db.write() as session:
        newer = await accounts.issue_one_time_token(session, user_id="u1", purpose=Purpose.PASSWORD_RESET)

    async with db.write() as session:
        assert await accounts.reset_password(session, token=older.token, password_hash="x") is None
    async with db.read() as session:
        assert await session.get(storage.OneTimeTokenRow, token_digest(newer.token)) is not None


async def test_a_password_reset_changes_the_password_and_signs_the_user_out(db: Database, ada_hash: str) -> None:
    await register(db, ada_hash)
    async with db.write() as session:
        signed_in = await accounts.issue_access_token(session, user_id="u1", roles=["MEMBER"])
        reset = await accounts.issue_one_time_token(session, user_id="u1", purpose=Purpose.PASSWORD_RESET)
    new_hash = await passwords.hash_password("a brand new secret")

    async with db.write() as session:
        done = await accounts.reset_password(session, token=reset.token, password_hash=new_hash)
    async with db.write() as session:
        again = await accounts.reset_password(session, token=reset.token, password_hash=ada_hash)

    assert done is not None
    assert (done.user_id, done.revoked_tokens) == ("u1", 1)
    assert again is None
    async with db.read() as session:
        assert (await accounts.introspect(session, signed_in.token)).valid is False
        assert await accounts.authenticate(session, email="ada@example.com", password="a brand new secret") == "u1"
        assert await accounts.authenticate(session, email="ada@example.com", password="correct horse battery") is None


async def test_no_secret_is_stored_in_clear(db: Database, ada_hash: str) -> None:
    await register(db, ada_hash)
    async with db.write() as session:
        access = await accounts.issue_access_token(session, user_id="u1", roles=["MEMBER"])
        reset = await accounts.issue_one_time_token(session, user_id="u1", purpose=Purpose.PASSWORD_RESET)

    async with db.read() as session:
        stored = [
            (await session.execute(sa.text(f"SELECT * FROM {table}"))).all()
            for table in ("credentials", "access_tokens", "one_time_tokens")
        ]

    for secret in ("correct horse battery", access.token, reset.token):
        assert secret not in repr(stored)
