"""The payment and subscription services, for the gateway's events that payment passes on."""

from __future__ import annotations

from collections.abc import Callable

import pytest

FORWARDING_SERVICES = ("payment", "subscription")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_urls(request: pytest.FixtureRequest) -> dict[str, str]:
    """No URLs (SQLite files under the data directory), or a fresh PostgreSQL schema per service."""
    if request.param == "sqlite":
        return {}
    new_postgres_url: Callable[[], str] = request.getfixturevalue("new_postgres_url")
    return {name: new_postgres_url() for name in FORWARDING_SERVICES}
