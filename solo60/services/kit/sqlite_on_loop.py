"""SQLite statements run on the event loop itself, behind SQLAlchemy's aiosqlite dialect.

aiosqlite gives each connection a thread and sends every call (execute, fetch, commit) to it
through a queue, waking the loop with the answer: a primary-key lookup that takes SQLite a few
microseconds cost a thread hop per call, several per request, and under load the loop spent
much of its time waiting on those hops. The statements a service runs are short, so here they
run where they are awaited, through the same dialect (the objects below have the aiosqlite
connection's and cursor's shape, handed to it with `async_creator`).

The one wait that is not short is SQLite's lock: a writer that finds another process holding
it (another worker, a CLI job) would sleep in SQLite's busy handler, blocking the loop. So the
connection's busy timeout is zero and a statement refused with "database is locked" is retried
here with `asyncio.sleep` between attempts, until `busy_timeout` seconds have passed. A refused
statement had no effect (writes begin with `BEGIN IMMEDIATE`, which either takes the lock or
fails before doing anything), so retrying it is safe.

The hottest paths (`Database.fetch_one` and `Database.write_core`) skip even the dialect's
async shape: they run SQLAlchemy's plain sync engine on the loop, one synchronous call per
unit of work, and wait for another process's lock the same way (`retry_while_locked`).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Self, TypeVar

from sqlalchemy.exc import OperationalError

T = TypeVar("T")
SQLITE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON", "PRAGMA synchronous=NORMAL")
"""Set on every connection a service opens."""
_FIRST_PAUSE_SECONDS = 0.001
_LONGEST_PAUSE_SECONDS = 0.05


class OnLoopCursor:
    """An aiosqlite-shaped cursor over a `sqlite3.Cursor`; each call runs at once, on the loop."""

    def __init__(self, connection: OnLoopConnection) -> None:
        self._connection = connection
        self._cursor = connection._conn.cursor()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> Self:
        await self._connection._retrying(lambda: self._cursor.execute(sql, parameters))
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any] | dict[str, Any]]) -> Self:
        rows = list(parameters)
        await self._connection._retrying(lambda: self._cursor.executemany(sql, rows))
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    async def setinputsizes(self, *_sizes: Any) -> None:
        return None

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class OnLoopConnection:
    """An aiosqlite-shaped connection over a `sqlite3.Connection` used only from the event loop."""

    def __init__(self, conn: sqlite3.Connection, *, busy_timeout: float) -> None:
        self._conn = conn
        self._connection: sqlite3.Connection | None = conn  # the dialect checks it to know we are open
        self.busy_timeout = busy_timeout

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        self._conn.isolation_level = value

    def cursor(self) -> OnLoopCursor:
        return OnLoopCursor(self)

    async def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> OnLoopCursor:
        return await self.cursor().execute(sql, parameters)

    async def commit(self) -> None:
        await self._retrying(self._conn.commit)

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        if self._connection is not None:
            self._connection = None
            self._conn.close()

    def stop(self) -> None:
        if self._connection is not None:
            self._connection = None
            self._conn.close()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    async def _retrying(self, statement: Callable[[], T]) -> T:
        return await retry_while_locked(statement, busy_timeout=self.busy_timeout)


async def retry_while_locked(work: Callable[[], T], *, busy_timeout: float) -> T:
    """Run `work` on the loop; while SQLite answers that another connection holds the lock, wait and retry.

    `work` must leave nothing behind when it fails that way: a statement refused by the lock
    had no effect, and a whole unit of work (`Database.write_core`) is rolled back before it
    is run again. SQLAlchemy's wrapped error is recognised as well as sqlite3's own.
    """
    deadline: float | None = None
    pause = _FIRST_PAUSE_SECONDS
    while True:
        try:
            return work()
        except (sqlite3.OperationalError, OperationalError) as error:
            if "database is locked" not in str(error):
                raise
            now = time.monotonic()
            deadline = deadline if deadline is not None else now + busy_timeout
            if now >= deadline:
                raise
            await asyncio.sleep(min(pause, deadline - now))
            pause = min(pause * 2, _LONGEST_PAUSE_SECONDS)


def sqlite_connector(path: str) -> Callable[[], sqlite3.Connection]:
    """The `creator` for a sync engine run on the loop: no busy wait (see `retry_while_locked`).

    The pragmas are set here rather than by a "connect" listener: an engine with no listeners
    skips SQLAlchemy's event dispatch on every statement.
    """

    def connect() -> sqlite3.Connection:
        # check_same_thread is off for the same reason as in `on_loop_connector`.
        conn = sqlite3.connect(path, timeout=0, check_same_thread=False, isolation_level=None)
        for pragma in SQLITE_PRAGMAS:
            conn.execute(pragma)
        return conn

    return connect


def on_loop_connector(path: str, *, busy_timeout: float) -> Callable[[], Any]:
    """The `async_creator` for `create_async_engine`: a new on-loop connection to the file at `path`."""

    async def connect() -> OnLoopConnection:
        # check_same_thread is off because the pool may close a connection from a finalizer;
        # statements themselves only ever run on the loop that awaits them.
        conn = sqlite3.connect(path, timeout=0, check_same_thread=False, isolation_level=None)
        return OnLoopConnection(conn, busy_timeout=busy_timeout)

    return connect
