"""SQLite's write-ahead log is copied into the database by the broker's background thread, so a
request's commit never pays for a checkpoint; the log stays short while the broker runs."""

from __future__ import annotations

import time
from pathlib import Path

import sqlalchemy as sa

from broker.api.application import BrokerApplication
from broker.config import BrokerSettings
from broker.pacts.tables import pact_contents
from broker.storage.checkpoints import Checkpointer
from broker.storage.database import Database
from broker.storage.schema import utcnow

PAGE = 4096


def _write_contents(database: Database, count: int, first: int = 0, size: int = 20_000) -> None:
    """`count` commits of one large content each: about five log pages a commit."""
    for number in range(first, first + count):
        with database.writing() as connection:
            connection.execute(
                pact_contents.insert().values(sha=f"{number:064d}", content="x" * size, created_at=utcnow())
            )


def _log_pages(path: Path) -> int:
    log = Path(f"{path}-wal")
    return log.stat().st_size // PAGE if log.exists() else 0


def test_commits_leave_the_checkpoint_to_the_checkpointer(tmp_path: Path) -> None:
    path = tmp_path / "broker.sqlite"
    database = Database(f"sqlite:///{path}")
    database.migrate()
    try:
        _write_contents(database, 300)  # ~1,500 pages: past SQLite's default of 1,000
        assert _log_pages(path) > 1_000  # no commit copied the log back
        logged, copied = Checkpointer(database).checkpoint()
        assert logged > 1_000
        assert copied == logged
        with database.reading() as connection:
            assert connection.scalar(sa.select(sa.func.count()).select_from(pact_contents)) == 300
    finally:
        database.dispose()


def test_a_running_broker_keeps_its_log_copied(tmp_path: Path) -> None:
    path = tmp_path / "broker.sqlite"
    application = BrokerApplication(BrokerSettings(database_url=f"sqlite:///{path}", run_webhook_worker=False))
    application.checkpointer.interval = 0.05
    application.startup()
    try:
        _write_contents(application.database, 50)
        rounds = application.checkpointer.checkpoints
        deadline = time.monotonic() + 10
        while application.checkpointer.checkpoints < rounds + 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert application.checkpointer.checkpoints >= rounds + 2
        # the next writes reuse the log from its start instead of growing it
        before = _log_pages(path)
        _write_contents(application.database, 50, first=50)
        assert _log_pages(path) <= before + 5
    finally:
        application.shutdown()
    assert not application.checkpointer.running


def test_postgresql_needs_no_checkpointer() -> None:
    application = BrokerApplication(
        BrokerSettings(database_url="postgresql://nobody@127.0.0.1:1/none", run_webhook_worker=False)
    )
    application.checkpointer.start()
    assert not application.checkpointer.running
