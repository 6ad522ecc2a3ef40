"""The session service's own code, driven in its consumer tests: its database, and the services it asks first.

Session's mails need the gym's name and clock and the members' names before they leave, and
a booking checks the member and prices the slot before it debits: those calls go to the real
gym and user services, in-process and seeded as their own verification seeds them
(`solo60/harness/made/neighbours.py`), so the call under test is the one session's code makes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from consumers.session.examples import ADA, GRACE, GYM
from solo60.harness.made.consumer_database import consumer_database
from solo60.harness.made.neighbours import Neighbours, live_neighbours
from solo60.services.kit.database import Database


@pytest.fixture
async def session_db(tmp_path: Path) -> AsyncIterator[Database]:
    async with consumer_database("session", tmp_path) as db:
        yield db


@pytest.fixture
async def neighbours(tmp_path: Path) -> AsyncIterator[Neighbours]:
    """The gym and user services, with Field Street Gym, Ada and Grace."""
    async with live_neighbours(["gym", "user"], tmp_path) as live:
        await live.given("gym", "a gym exists", **GYM)
        await live.given("user", "a user exists", **ADA)
        await live.given("user", "a user exists", **GRACE)
        yield live
