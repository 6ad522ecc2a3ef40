"""The auth flows run across the real auth, user and communication services and a local SMTP server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.flows.auth.platform import Platform, platform_on


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def stage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Platform]:
    """The stage, with no services started yet (a test may start communication late)."""
    new_postgres_url = request.getfixturevalue("new_postgres_url") if request.param == "postgres" else None
    async with platform_on(request.param, tmp_path, new_postgres_url) as platform:
        yield platform


@pytest.fixture
async def platform(stage: Platform) -> Platform:
    """Auth with the user and communication services it calls, all up."""
    await stage.start(["auth", "user", "communication"])
    return stage
