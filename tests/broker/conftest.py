"""Live brokers for the broker suite, on SQLite and on PostgreSQL.

Every test runs twice, once per backend. A broker server is shared per backend for the whole
session and emptied before each test (cheaply: DELETE/TRUNCATE); tests needing other settings
(auth, a context path, the default webhook policy) start their own with `start_broker`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
import sqlalchemy as sa

from broker.api.application import BrokerApplication
from broker.config import BrokerSettings, WebhookPolicy
from broker.storage.tables import metadata
from broker.testing import BrokerServer
from tests.broker.support import BrokerClient, Receiver, running_receiver

os.environ.setdefault("PACT_DO_NOT_TRACK", "true")

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
TEST_WEBHOOKS = WebhookPolicy(host_allow_list=("127.0.0.1",), retry_schedule=(0.2, 0.4), timeout_seconds=5)

StartBroker = Callable[..., AbstractContextManager[BrokerClient]]


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def new_database(
    backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Callable[[], str]]:
    """Makes empty databases: a SQLite file, or a PostgreSQL schema dropped at the end."""
    if backend == "sqlite":
        yield lambda: f"sqlite:///{tmp_path_factory.mktemp('broker') / 'broker.sqlite'}"
        return
    server_url = request.getfixturevalue("postgres_server_url")
    admin = sa.create_engine(server_url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    schemas: list[str] = []

    def make() -> str:
        schema = f"broker_{uuid.uuid4().hex[:12]}"
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        schemas.append(schema)
        separator = "&" if "?" in server_url else "?"
        return f"{server_url}{separator}options={quote(f'-csearch_path={schema}')}"

    yield make
    with admin.connect() as connection:
        for schema in schemas:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def empty_database(application: BrokerApplication) -> None:
    engine = application.database.engine
    tables = [table.name for table in reversed(metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                connection.execute(sa.text(f"DELETE FROM {name}"))


@contextmanager
def _serve(settings: BrokerSettings) -> Iterator[BrokerServer]:
    server = BrokerServer(BrokerApplication(settings))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def shared_server(new_database: Callable[[], str]) -> Iterator[BrokerServer]:
    settings = BrokerSettings(database_url=new_database(), webhooks=TEST_WEBHOOKS, access_log=False)
    with _serve(settings) as server:
        yield server


@pytest.fixture
def broker(shared_server: BrokerServer) -> Iterator[BrokerClient]:
    """The shared broker of this backend, emptied for this test."""
    empty_database(shared_server.application)
    with BrokerClient(shared_server.url, shared_server.application) as client:
        yield client


@pytest.fixture(scope="session")
def start_broker(new_database: Callable[[], str]) -> StartBroker:
    """`with start_broker(auth=..., base_url=...) as client:` runs a broker with other settings."""

    @contextmanager
    def start(*, database_url: str | None = None, **changes: object) -> Iterator[BrokerClient]:
        settings = replace(
            BrokerSettings(database_url=database_url or new_database(), webhooks=TEST_WEBHOOKS, access_log=False),
            **changes,  # type: ignore[arg-type]
        )
        context_path = settings.base_url if settings.base_url and settings.base_url.startswith("/") else ""
        with _serve(settings) as server, BrokerClient(server.url + context_path, server.application) as client:
            yield client

    return start


@pytest.fixture
def pacts_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "pacts"
    directory.mkdir()
    return directory


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """An HTTP endpoint for webhooks to call, recording every request."""
    with running_receiver() as state:
        yield state
