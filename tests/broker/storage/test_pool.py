"""The PostgreSQL pool hands a request the connection the last one returned: its statements are
already prepared there, where a connection new to the round parses each afresh."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from broker.storage.database import Database


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_requests_in_a_row_reuse_the_connection_returned_last(new_database: Callable[[], str]) -> None:
    database = Database(new_database())
    try:
        with database.engine.connect() as first, database.engine.connect() as second:
            first_backend = first.exec_driver_sql("SELECT pg_backend_pid()").scalar()
            second_backend = second.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        # The `with` closes them in reverse order: `first` went back to the pool last.
        for _ in range(3):
            with database.engine.connect() as again:
                assert again.exec_driver_sql("SELECT pg_backend_pid()").scalar() == first_backend
        assert first_backend != second_backend
    finally:
        database.dispose()
