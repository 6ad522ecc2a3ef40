"""Migrations: run on start, idempotent, and they produce exactly the schema the code declares."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from broker.storage.database import Database
from broker.storage.tables import metadata


def test_migrations_create_exactly_the_declared_schema(new_database: Callable[[], str]) -> None:
    database = Database(new_database())
    database.migrate()
    database.migrate()  # a second start changes nothing
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
        tables = set(sa.inspect(connection).get_table_names())
    database.dispose()
    assert differences == []
    assert {"pacticipants", "pact_contents", "latest_branch_pacts", "latest_verifications"} <= tables


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'b.sqlite'}")
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    database.dispose()


@pytest.mark.postgres
def test_instances_starting_together_migrate_once(new_postgres_url: Callable[[], str]) -> None:
    url = new_postgres_url()
    failures: list[BaseException] = []

    def start() -> None:
        database = Database(url)
        try:
            database.migrate()
        except BaseException as failure:
            failures.append(failure)
        finally:
            database.dispose()

    starters = [threading.Thread(target=start) for _ in range(4)]
    for thread in starters:
        thread.start()
    for thread in starters:
        thread.join(timeout=60)
    assert failures == []
    assert Database(url).is_migrated()
