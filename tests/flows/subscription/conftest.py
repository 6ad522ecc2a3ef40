"""The subscription flows run across the real subscription, payment, user and communication services, and SMTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.flows.auth.platform import Platform, platform_on

SERVICES = ["subscription", "payment", "user", "communication"]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def stage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Platform]:
    """The stage, with no services started yet (a test may keep one away)."""
    new_postgres_url = request.getfixturevalue("new_postgres_url") if request.param == "postgres" else None
    async with platform_on(request.param, tmp_path, new_postgres_url) as platform:
        yield platform


@pytest.fixture
async def platform(stage: Platform) -> Platform:
    await stage.start(SERVICES)
    return stage
