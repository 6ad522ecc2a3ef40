"""A running gym service for every test of this package, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest


@pytest.fixture
async def gyms(serve) -> AsyncIterator[httpx.AsyncClient]:
    async with serve("gym") as client:
        yield client
