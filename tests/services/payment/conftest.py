"""The payment service, started on a fresh database for each test (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest


@pytest.fixture
async def payment(serve) -> AsyncIterator[httpx.AsyncClient]:
    """Called as the session service: debiting credits is open to session and subscription only."""
    async with serve("payment") as client:
        client.headers["x-service-name"] = "session"
        yield client
