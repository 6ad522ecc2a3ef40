"""SQLite on the event loop: a writer waiting for another process's lock leaves the loop free."""

from __future__ import annotations

import asyncio
import sqlite3
import threading

import sqlalchemy as sa

from solo60.services.kit.database import Database


async def test_a_writer_waits_for_another_connections_lock_without_blocking_the_loop(tmp_path) -> None:
    path = tmp_path / "locked.sqlite"
    db = Database(f"sqlite:///{path}", migrations="unused")
    async with db.write() as session:
        await session.execute(sa.text("CREATE TABLE events (name TEXT)"))
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another process's writer holds the lock
    other.execute("INSERT INTO events VALUES ('theirs')")
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
    released = threading.Timer(0, other.commit)
    released.start()
    await asyncio.wait_for(writer, 10)
    released.join()
    other.close()

    async with db.read() as session:
        names = (await session.scalars(sa.text("SELECT name FROM events ORDER BY rowid"))).all()
    assert names == ["theirs", "ours"]
    await db.dispose()


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


async def test_a_core_write_waits_for_another_connections_lock_without_blocking_the_loop(tmp_path) -> None:
    path = tmp_path / "locked-core.sqlite"
    db = Database(f"sqlite:///{path}", migrations="unused")
    async with db.write() as session:
        await session.execute(sa.text("CREATE TABLE events (name TEXT)"))
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO events VALUES ('theirs')")

    writer = asyncio.create_task(
        db.write_core(lambda connection: connection.execute(sa.text("INSERT INTO events VALUES ('ours')")).rowcount)
    )
    ticks = 0
    while ticks < 5:  # the loop keeps running while the writer waits
        await asyncio.sleep(0.01)
        ticks += 1
    assert not writer.done()
    assert (await db.fetch_one(sa.text("SELECT count(*) AS n FROM events"))).n == 0  # reads don't wait
    released = threading.Timer(0, other.commit)
    released.start()
    assert await asyncio.wait_for(writer, 10) == 1
    released.join()
    other.close()

    async with db.read() as session:
        names = (await session.scalars(sa.text("SELECT name FROM events ORDER BY rowid"))).all()
    assert names == ["theirs", "ours"]
    await db.dispose()
