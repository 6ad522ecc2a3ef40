"""The booking stack (user, gym, session, payment, communication and a real SMTP server), per test.

Every test runs on SQLite; those that take `database_urls` also run on PostgreSQL, one fresh
schema per service.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from tests.flows.session.stack import Stack, stack_of
from tests.services.communication.smtp_server import SmtpServer

BOOKING_SERVICES = ("user", "gym", "session", "payment", "communication")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_urls(request: pytest.FixtureRequest) -> dict[str, str]:
    """No URLs (SQLite files under the data directory), or a fresh PostgreSQL schema per service."""
    if request.param == "sqlite":
        return {}
    new_postgres_url: Callable[[], str] = request.getfixturevalue("new_postgres_url")
    return {name: new_postgres_url() for name in BOOKING_SERVICES}


@pytest.fixture
async def smtp() -> AsyncIterator[SmtpServer]:
    server = SmtpServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def stack(smtp: SmtpServer, tmp_path: Path) -> AsyncIterator[Stack]:
    """The booking services on SQLite."""
    async with stack_of(BOOKING_SERVICES, data_dir=tmp_path, smtp=smtp) as running:
        yield running


@pytest.fixture
async def any_stack(smtp: SmtpServer, tmp_path: Path, database_urls: dict[str, str]) -> AsyncIterator[Stack]:
    """The booking services on SQLite, then on PostgreSQL."""
    async with stack_of(BOOKING_SERVICES, data_dir=tmp_path, smtp=smtp, database_urls=database_urls) as running:
        yield running
