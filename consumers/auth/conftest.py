"""The auth service's own code, driven in its consumer tests: its database, and the user service it asks first.

Auth's mails follow a signup, a verification or a password reset, each of which asks the user
service first: in the auth -> communication tests that is the real user service, in-process
and seeded by its own provider states (`solo60/harness/made/neighbours.py`), with Ada.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from consumers.auth.examples import ADA
from solo60.harness.made.consumer_database import consumer_database
from solo60.harness.made.neighbours import Neighbours, live_neighbours
from solo60.services.auth import passwords
from solo60.services.kit.database import Database


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Auth's flows hash passwords with scrypt at production cost (most of a test's time); how hard a
    hash is to reverse is no part of any pact, so these tests hash cheaply, through the same function."""
    cheap = passwords.ScryptCost(n=2**4, r=1, p=1)

    async def hash_password(password: str) -> str:
        return passwords.hash_password_now(password, cheap)

    monkeypatch.setattr(passwords, "hash_password", hash_password)


@pytest.fixture
async def auth_db(tmp_path: Path) -> AsyncIterator[Database]:
    async with consumer_database("auth", tmp_path) as db:
        yield db


@pytest.fixture
async def neighbours(tmp_path: Path) -> AsyncIterator[Neighbours]:
    """The user service, with Ada."""
    async with live_neighbours(["user"], tmp_path) as live:
        await live.given("user", "a user exists", **ADA)
        yield live
