"""The payment service, started on a fresh database for each test (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest


@pytest.fixture
async def payment(serve) -> AsyncIterator[httpx.AsyncClient]:
    async with serve("payment") as client:
        yield client
