"""Options and fixtures shared by every suite in the repository.

The harness options (`solo60/harness/suite_options.py`) let CI jobs drive the same
consumer and provider suites a developer runs locally; the PostgreSQL fixtures give tests a
real server (never a fake) and a fresh schema per test, so any component that takes a
database URL can be tested on it.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parent
TEST_DATABASE_ENV = "SOLO60_TEST_DATABASE_URL"
LOCAL_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def pytest_addoption(parser: pytest.Parser) -> None:
    from solo60.harness.suite_options import add_harness_options

    add_harness_options(parser.getgroup("solo60", "Solo60 contract harness"), default_pacts_dir=ROOT / "pacts")


def _reachable(url: str) -> bool:
    import sqlalchemy as sa

    engine = sa.create_engine(url, connect_args={"connect_timeout": 2})
    try:
        with engine.connect():
            return True
    except Exception:
        return False
    finally:
        engine.dispose()


def _docker_available() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        import docker  # type: ignore[import-untyped]

        docker.from_env().ping()
    except Exception:
        return False
    return True


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A PostgreSQL server: the configured one, the local one, else a testcontainers one."""
    configured = os.environ.get(TEST_DATABASE_ENV)
    if configured:
        yield configured
        return
    if _reachable(LOCAL_POSTGRES_URL):
        yield LOCAL_POSTGRES_URL
        return
    if _docker_available():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:16-alpine", driver="psycopg") as container:
            yield container.get_connection_url()
        return
    pytest.skip(f"no PostgreSQL: none at {LOCAL_POSTGRES_URL}, {TEST_DATABASE_ENV} unset, no Docker for testcontainers")


@pytest.fixture
def new_postgres_url(postgres_server_url: str) -> Iterator[Callable[[], str]]:
    """Makes database URLs, each with its own fresh schema as search_path; all dropped after the test."""
    import sqlalchemy as sa

    admin = sa.create_engine(_sync_url(postgres_server_url), isolation_level="AUTOCOMMIT")
    created: list[str] = []

    def make() -> str:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        created.append(schema)
        separator = "&" if "?" in postgres_server_url else "?"
        return f"{postgres_server_url}{separator}options={quote(f'-csearch_path={schema}')}"

    yield make
    with admin.connect() as conn:
        for schema in created:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def postgres_url(new_postgres_url: Callable[[], str]) -> str:
    """A database URL whose search_path is a fresh schema, dropped after the test."""
    return new_postgres_url()


def _sync_url(url: str) -> str:
    return url.replace("postgresql+asyncpg", "postgresql+psycopg").replace("postgresql://", "postgresql+psycopg://")
