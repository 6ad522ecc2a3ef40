"""Start any service in-process on the test's database, with an authenticated client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from solo60.services import definition
from solo60.services.kit.app import build_app
from solo60.services.kit.settings import DEVELOPMENT_API_KEY, ServiceSettings
from tests.services.rabbit import rabbit, rabbit_alone  # noqa: F401  (the fixtures, for every service's suite)

ServeService = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def new_database_url(database_backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Callable[[str], str]:
    """A fresh database per service name: a SQLite file, or a PostgreSQL schema."""
    if database_backend == "postgres":
        make_postgres = request.getfixturevalue("new_postgres_url")
        return lambda _name: make_postgres()
    return lambda name: f"sqlite:///{tmp_path / f'{name}.sqlite'}"


@pytest.fixture
def serve(new_database_url: Callable[[str], str], tmp_path: Path) -> ServeService:
    """`async with serve("user") as client:` runs the user service's app with its lifespan."""

    @asynccontextmanager
    async def start(
        name: str, *, environ: dict[str, str] | None = None, **settings: Any
    ) -> AsyncIterator[httpx.AsyncClient]:
        values: dict[str, Any] = {
            "database_url": new_database_url(name),
            "data_dir": tmp_path,
            "provider_states": True,
            "environment": "test",
        }
        values.update(settings)
        app = build_app(definition(name), ServiceSettings.from_env(name, environ or {}, **values))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            headers = {"x-api-key": DEVELOPMENT_API_KEY, "x-service-name": "tests"}
            async with httpx.AsyncClient(transport=transport, base_url=f"http://{name}", headers=headers) as client:
                client.app = app  # type: ignore[attr-defined]
                yield client

    return start
