"""SQLite on the event loop: a writer waiting for another process's lock leaves the loop free."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from solo60.services.kit.database import Database


async def test_a_writer_waits_for_another_connections_lock_without_blocking_the_loop(tmp_path) -> None:
    db, other = await _locked_by_another_connection(tmp_path / "locked.sqlite")
    ticks = 0
    loop_was_free = asyncio.Event()

    async def tick() -> None:
        nonlocal ticks
        while ticks < 5:
            await asyncio.sleep(0.01)
            ticks += 1
        loop_was_free.set()

    async def write_ours() -> None:
        async with db.write() as session:
            await session.execute(sa.text("INSERT INTO events VALUES ('ours')"))

    writer = asyncio.create_task(write_ours())
    await asyncio.wait_for(tick(), 10)
    assert loop_was_free.is_set()
    assert not writer.done()  # still waiting for the lock, while the loop ran the ticker
    await _release_then_expect_theirs_before_ours(db, other, writer)


async def test_reads_see_committed_rows_and_types_round_trip(tmp_path) -> None:
    db = Database(f"sqlite:///{tmp_path}/rows.sqlite", migrations="unused")
    async with db.write() as session:
        await session.execute(sa.text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, blob BLOB)"))
        await session.execute(
            sa.text("INSERT INTO t (name, blob) VALUES (:n, :b)"), [{"n": "a", "b": b"\x00"}, {"n": "b", "b": b"\x01"}]
        )
    async with db.read() as session:
        rows = (await session.execute(sa.text("SELECT id, name, blob FROM t ORDER BY id"))).all()
    assert [tuple(row) for row in rows] == [(1, "a", b"\x00"), (2, "b", b"\x01")]
    await db.dispose()


@pytest.mark.parametrize("how", ["write_core", "write_one"])
async def test_a_hot_write_waits_for_another_connections_lock_without_blocking_the_loop(tmp_path, how) -> None:
    db, other = await _locked_by_another_connection(tmp_path / "locked-core.sqlite")

    ours = sa.text("INSERT INTO events VALUES ('ours')")
    if how == "write_core":
        writer = asyncio.create_task(db.write_core(lambda connection: connection.execute(ours).rowcount))
    else:
        writer = asyncio.create_task(db.write_one(ours))
    ticks = 0
    while ticks < 5:  # the loop keeps running while the writer waits
        await asyncio.sleep(0.01)
        ticks += 1
    assert not writer.done()
    assert (await db.fetch_one(sa.text("SELECT count(*) AS n FROM events"))).n == 0  # reads don't wait
    assert await _release_then_expect_theirs_before_ours(db, other, writer) == 1


async def _locked_by_another_connection(path: Path) -> tuple[Database, sqlite3.Connection]:
    """A database with an `events` table whose write lock another connection (another process's writer) holds."""
    db = Database(f"sqlite:///{path}", migrations="unused")
    async with db.write() as session:
        await session.execute(sa.text("CREATE TABLE events (name TEXT)"))
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO events VALUES ('theirs')")
    return db, other


async def _release_then_expect_theirs_before_ours(
    db: Database, other: sqlite3.Connection, writer: asyncio.Task[Any]
) -> Any:
    """The other connection commits; our waiting writer then finishes after it. Returns what it returned."""
    released = threading.Timer(0, other.commit)
    released.start()
    result = await asyncio.wait_for(writer, 10)
    released.join()
    other.close()
    async with db.read() as session:
        names = (await session.scalars(sa.text("SELECT name FROM events ORDER BY rowid"))).all()
    assert names == ["theirs", "ours"]
    await db.dispose()
    return result
