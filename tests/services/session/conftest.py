"""A running session service for every test of this package, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest


@pytest.fixture
async def sessions(serve) -> AsyncIterator[httpx.AsyncClient]:
    async with serve("session") as client:
        yield client
