"""A service's database: an embedded SQLite file by default, PostgreSQL when a URL is given.

Schema changes go through the service's Alembic migrations, run at start, so a PostgreSQL
deployment upgrades in place. On SQLite every write transaction starts with
`BEGIN IMMEDIATE`: concurrent writers then queue on the lock instead of failing when a read
transaction tries to become a write one.

On PostgreSQL the pooled connections stay in autocommit mode and transactions are begun
explicitly (`BEGIN`, as on SQLite): a lookup then runs as one statement on any connection,
with no switch of the connection's mode on the way out of the pool and back.

The hot paths (`fetch_one`, `write_core`) run their unit of work as one synchronous call: on
SQLite on a plain sync engine on the loop itself (no greenlet at all), on PostgreSQL in one
greenlet for the whole unit instead of one per statement, connect, commit and close.
"""

from __future__ import annotations

import asyncio
import re
import threading
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from psycopg.pq import TransactionStatus
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.util import greenlet_spawn

from solo60.services.kit.pg_lookup import Lookup, compile_lookup, run_lookup
from solo60.services.kit.sqlite_on_loop import (
    SQLITE_PRAGMAS,
    on_loop_connector,
    retry_while_locked,
    sqlite_connector,
)

SQLITE_BUSY_TIMEOUT_SECONDS = 30
SQLITE_POOL_SIZE = 20
SQLITE_POOL_OVERFLOW = 20
POSTGRES_POOL_SIZE = 10
POSTGRES_POOL_OVERFLOW = 10
POSTGRES_POOL_RECYCLE_SECONDS = 1800
_MIGRATION_LOCK = threading.Lock()
_PG_IDLE = TransactionStatus.IDLE
_SEARCH_PATH = re.compile(r"-csearch_path=([A-Za-z0-9_]+)")
T = TypeVar("T")
_UNSUPPORTED: Any = object()  # a statement `pg_lookup` cannot run (SQLAlchemy runs it)


class Database:
    """Engine, sessions and migrations of one service's own database."""

    def __init__(
        self, url: str, *, migrations: str, version_table: str = "alembic_version", pool_size: int | None = None
    ) -> None:
        self.url = async_url(url)
        self.migrations = migrations
        self.version_table = version_table
        self.is_sqlite = self.url.startswith("sqlite")
        options: dict[str, Any] = {}
        if self.is_sqlite:
            path = _ensure_parent_directory(self.url)
            # Statements run on the event loop, not on a thread per connection (`sqlite_on_loop`);
            # connections are kept, not churned, as opening one costs more than a query.
            options["async_creator"] = on_loop_connector(path, busy_timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
            options.update(pool_size=pool_size or SQLITE_POOL_SIZE, max_overflow=SQLITE_POOL_OVERFLOW)
            # The same file through the plain sync driver, for the hot paths: a lookup by key
            # cost 170 µs through the async engine's adapted connection and 40 µs this way.
            self._sync_engine: sa.Engine = sa.create_engine(
                sync_url(self.url),
                creator=sqlite_connector(path),
                pool_size=pool_size or SQLITE_POOL_SIZE,
                max_overflow=SQLITE_POOL_OVERFLOW,
            )
        else:
            # PostgreSQL connections are a shared, limited resource (max_connections is 100 by
            # default, across every replica of every service): keep few, open more on demand.
            # Disconnects are handled optimistically, not by a `pool_pre_ping` round trip per
            # checkout (which cost as much as a lookup by key): a statement that finds its
            # connection dead invalidates it and every connection opened before it (SQLAlchemy's
            # pool does this on a disconnect error), lookups (`fetch_one`) retry once on a fresh
            # one, and other requests answer a 503 to retry (nothing was changed). Connections
            # are replaced before server or proxy idle timeouts close them (`pool_recycle`), and
            # the most recently used is handed out first, so the spare ones can idle out.
            options.update(
                pool_size=pool_size or POSTGRES_POOL_SIZE,
                max_overflow=POSTGRES_POOL_OVERFLOW,
                pool_recycle=POSTGRES_POOL_RECYCLE_SECONDS,
                pool_use_lifo=True,
                # Autocommit for good, transactions begun explicitly (`_begin_explicitly`): a
                # per-lookup switch to autocommit and back cost two driver calls per request.
                isolation_level="AUTOCOMMIT",
                # No ROLLBACK call on every return to the pool: in autocommit mode there is
                # nothing to roll back unless a transaction was left open, which
                # `_end_open_transactions` checks from the connection's own state instead.
                pool_reset_on_return=None,
            )
        self.engine: AsyncEngine = create_async_engine(self.url, **options)
        if self.is_sqlite:
            _configure_sqlite(self.engine.sync_engine)
        else:
            _begin_explicitly(self.engine.sync_engine, write="BEGIN", read="BEGIN")
            _end_open_transactions(self.engine.sync_engine.pool)
            # The hot paths' engine on the same pool (made before any connection, so that both
            # engines' dialects are set up by the first one), without the listener: an engine
            # with one pays SQLAlchemy's event dispatch on every statement (~14% of a lookup's
            # CPU). `write_core` begins its transactions itself.
            hot_async = create_async_engine(self.url, pool=self.engine.sync_engine.pool, isolation_level="AUTOCOMMIT")
            self._sync_engine = hot_async.sync_engine
        # PostgreSQL lookups compiled once per statement (`pg_lookup`); None: run through SQLAlchemy.
        # Keyed by the statement object (weakly: one built per call must not pile up here).
        self._lookups: weakref.WeakKeyDictionary[sa.Executable, Lookup | None] = weakref.WeakKeyDictionary()
        self._write_lock = asyncio.Lock() if self.is_sqlite else None
        self._writer_task: asyncio.Task[Any] | None = None
        # The engine the hot paths run on synchronously: on the loop for SQLite, inside one
        # greenlet for PostgreSQL. It has no listeners; `write_core` begins transactions itself.
        self._single_sync = self._sync_engine.execution_options(solo60_single=True)
        self._write_sync = self._sync_engine.execution_options(solo60_write=True)
        self._begin_write = "BEGIN IMMEDIATE" if self.is_sqlite else "BEGIN"
        self._reader = async_sessionmaker(self.engine, expire_on_commit=False)
        self._writer = async_sessionmaker(self.engine.execution_options(solo60_write=True), expire_on_commit=False)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for queries; it never takes SQLite's write lock."""
        async with self._reader() as session:
            yield session

    async def fetch_one(self, statement: sa.Executable, parameters: dict[str, Any] | None = None) -> sa.Row[Any] | None:
        """The first row of one query, read on a pooled connection without a session or a transaction.

        For the hot lookups (a row by its key): an ORM session, its identity map and the
        BEGIN/ROLLBACK around one SELECT cost several times the query. One statement is its own
        consistent snapshot on both databases, so nothing is lost. Pass a statement built once
        and its `parameters` apart: its cache key is then computed once, not per call.
        """

        def lookup() -> sa.Row[Any] | None:
            try:
                return self._lookup(statement, parameters)
            except sa.exc.DBAPIError as error:
                if not error.connection_invalidated:
                    raise
            # The connection had died (a database restart, a killed backend): the pool has dropped
            # it and every older one, and a read changed nothing, so asking once more is safe.
            return self._lookup(statement, parameters)

        if self.is_sqlite:
            return await retry_while_locked(lookup, busy_timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
        return await greenlet_spawn(lookup)

    def _lookup(self, statement: sa.Executable, parameters: dict[str, Any] | None) -> sa.Row[Any] | None:
        if not self.is_sqlite:
            found = self._lookup_on_driver(statement, parameters)
            if found is not _UNSUPPORTED:
                return found
        with self._single_sync.connect() as connection:
            return connection.execute(statement, parameters).first()

    def _lookup_on_driver(self, statement: sa.Executable, parameters: dict[str, Any] | None) -> Any:
        """PostgreSQL: the statement run by psycopg itself on a pooled connection (`pg_lookup`)."""
        lookup = self._lookups.get(statement, _UNSUPPORTED)
        if lookup is None:
            return _UNSUPPORTED
        pool = self._sync_engine.pool
        connection = pool.connect()
        try:
            if lookup is _UNSUPPORTED:
                # Compiled once a connection exists: the dialect is then initialised for the server.
                lookup = self._lookups[statement] = compile_lookup(statement, self._sync_engine.dialect)
                if lookup is None:
                    return _UNSUPPORTED
            return run_lookup(connection, lookup, parameters)
        except sa.exc.DBAPIError as error:
            if error.connection_invalidated:
                # What SQLAlchemy does on a disconnect: drop this connection and every one opened before it.
                pool._invalidate(connection, error)
            raise
        finally:
            connection.close()

    async def write_one(self, statement: sa.Executable, parameters: dict[str, Any] | None = None) -> int:
        """One write statement as its own transaction; the number of rows it changed.

        For hot writes that are one statement (a signup's INSERT): a statement is atomic by
        itself on both databases, so it runs without BEGIN and COMMIT around it, which on
        PostgreSQL is one round trip instead of three (an INSERT cost ~360 µs CPU this way
        and ~660 µs through `write_core`). It runs like `write_core` otherwise: after this
        process's other writers, and on SQLite again after a pause if another process holds
        the lock (a refused statement changed nothing).
        """

        def alone() -> int:
            with self._single_sync.connect() as connection:
                return connection.execute(statement, parameters).rowcount

        async with self._writer_turn():
            if self.is_sqlite:
                return await retry_while_locked(alone, busy_timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
            return await greenlet_spawn(alone)

    async def write_core(self, work: Callable[[sa.Connection], T]) -> T:
        """Run `work` in one write transaction, committed when it returns, rolled back if it raises.

        For hot writes of Core statements (a signup's one INSERT): `work` runs synchronously with
        a plain `sa.Connection`, once for the whole unit of work rather than one async hop per
        statement, connect, commit and close (on SQLite on the loop itself, on PostgreSQL in one
        greenlet). On SQLite a unit refused by another process's lock is rolled back and run
        again after a pause that leaves the loop free, so `work` must touch nothing but the
        connection (and must not wait on anything).
        """

        def unit() -> T:
            with self._write_sync.connect() as connection:
                connection.exec_driver_sql(self._begin_write)
                result = work(connection)
                connection.commit()
            return result

        async with self._writer_turn():
            if self.is_sqlite:
                return await retry_while_locked(unit, busy_timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
            return await greenlet_spawn(unit)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A transaction committed on success and rolled back on any exception."""
        async with self._writer_turn(), self._writer() as session, session.begin():
            yield session

    @asynccontextmanager
    async def _writer_turn(self) -> AsyncIterator[None]:
        if self._write_lock is None:
            yield
            return
        # SQLite has one writer at a time. Writers of this process queue here and are woken in
        # turn; left to SQLite's busy handler they would sleep in growing steps (p99 of ~600 ms
        # at 16 concurrent writers). Other processes are waited for without blocking the loop
        # (`sqlite_on_loop`).
        if self._writer_task is not None and self._writer_task is asyncio.current_task():
            raise RuntimeError("a write transaction was opened inside another one on the same SQLite database")
        async with self._write_lock:
            self._writer_task = asyncio.current_task()
            try:
                yield
            finally:
                self._writer_task = None

    async def migrate(self) -> None:
        """Bring the schema to the latest migration (creating the PostgreSQL schema if needed)."""
        await asyncio.to_thread(self._migrate_sync)

    def _migrate_sync(self) -> None:
        # Alembic keeps `op` and `context` in module globals: two services migrating on two
        # threads of one process would run each other's DDL. One migration at a time.
        with _MIGRATION_LOCK:
            self._run_migrations()

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as connection:
                await connection.execute(sa.text("SELECT 1"))
        except Exception:
            return False
        return True

    async def dispose(self) -> None:
        await self.engine.dispose()  # PostgreSQL's hot engine shares this engine's pool
        if self.is_sqlite:
            self._sync_engine.dispose()

    def alembic_config(self) -> Config:
        config = Config()
        config.set_main_option("script_location", self.migrations)
        config.attributes["version_table"] = self.version_table
        return config

    def _run_migrations(self) -> None:
        engine = sa.create_engine(sync_url(self.url), poolclass=sa.pool.NullPool)
        try:
            with engine.begin() as connection:
                if engine.dialect.name == "postgresql":
                    schema = search_path_schema(self.url)
                    if schema:
                        connection.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
                    # Several replicas may start at once; one migrates, the others wait for it.
                    connection.execute(
                        sa.text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": self.migrations}
                    )
                config = self.alembic_config()
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        finally:
            engine.dispose()


def async_url(url: str) -> str:
    """The asyncio driver URL for a plain `sqlite:///` or `postgresql://` URL."""
    parsed = make_url(url)
    driver = parsed.drivername
    if driver in {"sqlite", "sqlite+pysqlite"}:
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif driver in {"postgresql", "postgres", "postgresql+psycopg2", "postgresql+asyncpg"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def sync_url(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername == "sqlite+aiosqlite":
        parsed = parsed.set(drivername="sqlite")
    return parsed.render_as_string(hide_password=False)


def search_path_schema(url: str) -> str | None:
    """The schema named by `?options=-csearch_path=...`, which a shared PostgreSQL uses per service."""
    options = make_url(url).query.get("options")
    if options is None:
        return None
    text = unquote(options if isinstance(options, str) else options[0])
    found = _SEARCH_PATH.search(text)
    return found.group(1) if found else None


def _ensure_parent_directory(url: str) -> str:
    """The SQLite file's path, its directory made if missing."""
    database = make_url(url).database or ":memory:"
    if database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    return database


def _configure_sqlite(engine: sa.Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Transactions are begun below, not by the driver (the on-loop connection opens that way);
        # the busy timeout stays zero: waiting for another process's lock is done without
        # blocking the loop (`sqlite_on_loop`).
        if dbapi_connection.isolation_level is not None:
            dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    _begin_explicitly(engine, write="BEGIN IMMEDIATE", read="BEGIN")


def _end_open_transactions(pool: sa.pool.Pool) -> None:
    """Roll back, on its return to the pool, a PostgreSQL connection that still has a transaction open.

    What `pool_reset_on_return="rollback"` guarantees, paid only when needed: the default
    called the driver's rollback (a greenlet switch and a coroutine, ~10 µs) on every return,
    though SQLAlchemy's connections end their own transactions and a lookup opens none.
    """

    @event.listens_for(pool, "reset")
    def _on_reset(dbapi_connection: Any, _record: Any, state: Any) -> None:
        if state.terminate_only or not state.asyncio_safe or state.transaction_was_reset:
            return
        if dbapi_connection.driver_connection.info.transaction_status != _PG_IDLE:
            dbapi_connection.rollback()


def _begin_explicitly(engine: sa.Engine, *, write: str, read: str) -> None:
    """Begin every transaction with `write` or `read`: the drivers run in autocommit mode.

    Lookups (`Database.fetch_one`) begin none: one statement is its own transaction.
    """

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        options = connection.get_execution_options()
        if options.get("solo60_single", False):
            return
        connection.exec_driver_sql(write if options.get("solo60_write", False) else read)
