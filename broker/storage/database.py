"""Connections to the broker's database: SQLite by default, PostgreSQL when a URL is given.

Every write runs in one transaction. SQLite writers start with `BEGIN IMMEDIATE` so that two
concurrent publishers queue on the write lock instead of failing on a stale snapshot; readers
start a deferred transaction and never block writers (WAL).

SQLite commits with `synchronous=FULL`: in WAL mode that syncs the log to disk before a commit
returns, so a publish or verification result the broker acknowledged survives a power cut.
(`NORMAL` syncs only at checkpoints and may lose the last commits; `EXTRA` adds a directory sync
that only the rollback-journal modes need.) What it costs is in broker/README.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import platformdirs
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

WRITE_OPTION = "broker_write"
SQLITE_SYNCHRONOUS = "FULL"
# a commit checkpoints only past this many log pages (40 MB): a running broker checkpoints in the
# background well before (`checkpoints.py`); this bounds the log should that thread not run
SQLITE_AUTOCHECKPOINT_PAGES = 10_000


def default_sqlite_path() -> Path:
    """The user's data directory (XDG_DATA_HOME on Linux, ~/Library/Application Support on macOS,
    %LOCALAPPDATA% on Windows), not the installed package: that may be read-only and is replaced
    on upgrade."""
    return platformdirs.user_data_path("solo60", appauthor=False) / "broker" / "broker.sqlite"


def normalise_database_url(url: str | None) -> str:
    """Accept the spellings operators use and pick the drivers this project ships."""
    if not url:
        return f"sqlite+pysqlite:///{default_sqlite_path()}"
    for prefix in ("postgres://", "postgresql://", "postgresql+asyncpg://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if url.startswith("sqlite:///") or url.startswith("sqlite+aiosqlite:///"):
        return "sqlite+pysqlite:///" + url.split(":///", 1)[1]
    return url


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # transactions are begun explicitly below
        cursor = dbapi_connection.cursor()
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA foreign_keys=ON",
            f"PRAGMA synchronous={SQLITE_SYNCHRONOUS}",
            "PRAGMA busy_timeout=30000",
            "PRAGMA cache_size=-65536",
            "PRAGMA temp_store=MEMORY",
            f"PRAGMA wal_autocheckpoint={SQLITE_AUTOCHECKPOINT_PAGES}",
        ):
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = "IMMEDIATE" if connection.get_execution_options().get(WRITE_OPTION) else "DEFERRED"
        connection.exec_driver_sql(f"BEGIN {mode}")


def create_database_engine(url: str | None, pool_size: int | None = None, max_overflow: int | None = None) -> Engine:
    """`pool_size`: connections kept, by default 8 on SQLite and 10 on PostgreSQL; `max_overflow`:
    how many more may open under load (as many again by default)."""
    resolved = normalise_database_url(url)
    if resolved.startswith("sqlite"):
        if resolved.endswith(":memory:") or resolved.endswith("://"):
            raise ValueError("an in-memory SQLite database cannot be shared between threads; use a file")
        path = Path(resolved.split(":///", 1)[1])
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            resolved,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=pool_size or 8,
            max_overflow=max_overflow if max_overflow is not None else pool_size or 8,
        )
        _configure_sqlite(engine)
        return engine
    # LIFO: one client's requests in a row reuse the connection the last one returned. With the
    # pool's default FIFO they went round every pooled connection, and each new one pays for its
    # first runs of each statement (psycopg prepares a statement on its sixth run on a connection,
    # parsing it afresh until then): pacts for verification had bursts of ten requests 3-4 ms slower
    # whenever one more connection joined the round (p95 4.9x-5.3x /health in some benchmark runs).
    size = pool_size or 10
    overflow = max_overflow if max_overflow is not None else size
    return sa.create_engine(resolved, pool_size=size, max_overflow=overflow, pool_recycle=1800, pool_use_lifo=True)


class Database:
    """The engine plus the two kinds of transaction the broker uses."""

    def __init__(
        self, url: str | None = None, *, pool_size: int | None = None, max_overflow: int | None = None
    ) -> None:
        self.url = normalise_database_url(url)
        self.engine = create_database_engine(url, pool_size, max_overflow)

    def for_background_work(self) -> Database:
        """The same database through a pool of its own for the broker's background threads (the
        webhook worker polls every second, SQLite's checkpoints, the clean-up schedule): one
        connection kept, one per thread at most.

        Sharing the requests' pool, a poll that ran while a request held the connection on top
        opened or took another one, and returned it last: LIFO then handed the next requests that
        colder connection, whose statements are parsed and planned afresh until psycopg prepares
        them (their sixth run there). Pacts for verification ran 8-9 ms instead of 4 for the ten
        requests after such a poll, enough to double its p95 in a benchmark run."""
        return Database(self.url, pool_size=1, max_overflow=2)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """SQLite: one deferred transaction, so every query sees the same snapshot. PostgreSQL:
        autocommit, because at READ COMMITTED a transaction gives no common snapshot anyway and
        BEGIN/COMMIT would only add two round trips."""
        if self.is_sqlite:
            with self.engine.connect() as connection, connection.begin():
                yield connection
            return
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            yield connection

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        with self.engine.connect() as connection:
            connection.execution_options(**{WRITE_OPTION: True})
            with connection.begin():
                yield connection

    @property
    def location(self) -> str:
        """Where the data lives, for people: the SQLite file's path, or the URL without a password."""
        if self.is_sqlite:
            return self.url.split(":///", 1)[1]
        return self.engine.url.render_as_string(hide_password=True)

    def migrate(self) -> None:
        from broker.storage.migrate import upgrade_to_head

        upgrade_to_head(self.engine)

    def is_migrated(self) -> bool:
        """True when the database answers and its schema is at this code's newest migration."""
        from broker.storage.migrate import is_at_head

        return is_at_head(self.engine)

    def empty(self) -> None:
        """Delete every row and keep the schema: tests that replay scenarios need the same start."""
        from broker.storage.tables import metadata

        with self.writing() as connection:
            for table in reversed(metadata.sorted_tables):
                connection.execute(table.delete())

    def dispose(self) -> None:
        self.engine.dispose()
