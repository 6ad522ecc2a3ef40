"""`generic_plans` changes how PostgreSQL plans a block's statements, and only that block's: a
connection goes back to the pool with the server's default, whatever happened in the block."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa

from broker.storage.database import Database
from broker.storage.plans import generic_plans


def _mode(connection: sa.Connection) -> str:
    return str(connection.exec_driver_sql("SHOW plan_cache_mode").scalar())


ON_POSTGRES = pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
"""A PostgreSQL setting: these run on PostgreSQL only (not once per backend, as the suite's others)."""


@pytest.fixture
def database(new_database: Callable[[], str]) -> Database:
    return Database(new_database())


@ON_POSTGRES
def test_the_block_plans_generically_and_the_connection_is_restored(database: Database) -> None:
    with database.reading() as connection:
        default = _mode(connection)
        with generic_plans(connection):
            assert _mode(connection) == "force_generic_plan"
        assert _mode(connection) == default
    database.dispose()


@ON_POSTGRES
def test_the_connection_is_restored_when_the_block_fails(database: Database) -> None:
    with database.reading() as connection:
        default = _mode(connection)
        with pytest.raises(ValueError, match="own error"), generic_plans(connection):
            raise ValueError("the block's own error")
        assert _mode(connection) == default
    database.dispose()


@ON_POSTGRES
def test_a_connection_that_cannot_be_restored_is_not_pooled(database: Database) -> None:
    with database.engine.connect() as connection:
        connection.begin()
        with pytest.raises(sa.exc.ProgrammingError), generic_plans(connection):
            connection.exec_driver_sql("SELECT no_such_column FROM no_such_table")  # aborts the transaction
        assert connection.invalidated
    database.dispose()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_nothing_changes_on_sqlite(new_database: Callable[[], str]) -> None:
    database = Database(new_database())
    with database.reading() as connection, generic_plans(connection):
        assert connection.exec_driver_sql("SELECT 1").scalar() == 1
    database.dispose()
