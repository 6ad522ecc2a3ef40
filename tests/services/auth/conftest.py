"""The auth service alone, on a fresh database (SQLite and PostgreSQL), with fast relay retries."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from solo60.clients import reset_breakers

FAST_RELAY = {"OUTBOX_IDLE_SECONDS": "0.05", "OUTBOX_RETRY_BASE_SECONDS": "0.05", "OUTBOX_RETRY_MAX_SECONDS": "0.1"}


@pytest.fixture
async def auth(serve) -> AsyncIterator[httpx.AsyncClient]:
    async with serve("auth", environ=FAST_RELAY) as client:
        yield client


@pytest.fixture(autouse=True)
def fresh_breakers() -> Iterator[None]:
    """Some tests point the user service's URL at a dead port, which a later test's server may get."""
    reset_breakers()
    yield
    reset_breakers()
