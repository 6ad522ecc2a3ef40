"""The PostgreSQL pool hands a request the connection the last one returned: its statements are
already prepared there, where a connection new to the round parses each afresh. The broker's
background work has a pool of its own, so it never reorders the requests' pool."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import event

from broker.api.application import BrokerApplication
from broker.config import BrokerSettings
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


def test_the_webhook_workers_polls_leave_the_requests_pool_alone(new_database: Callable[[], str]) -> None:
    """A poll that took a request's connection would reorder the pool: the next requests would
    get a connection whose statements are not prepared yet."""
    application = BrokerApplication(BrokerSettings(database_url=new_database(), run_webhook_worker=False))
    application.startup()
    try:
        with application.database.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        opened: list[object] = []
        event.listen(application.database.engine, "checkout", lambda *arguments: opened.append(arguments))
        for _ in range(3):
            assert application.worker.run_due() == 0
            assert application.worker._seconds_until_next_attempt() > 0
        assert opened == []
        assert application.background_database.engine.pool.checkedin() == 1
    finally:
        application.shutdown()
