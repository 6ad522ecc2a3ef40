"""The database kit: SQLite writers queue in order; a nested write fails fast instead of hanging."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa

from solo60.services.kit.database import Database, async_url, search_path_schema, sync_url


async def test_concurrent_writers_on_sqlite_all_commit(tmp_path) -> None:
    db = Database(f"sqlite:///{tmp_path}/w.sqlite", migrations="unused")
    async with db.write() as session:
        await session.execute(sa.text("CREATE TABLE counter (n INTEGER)"))
        await session.execute(sa.text("INSERT INTO counter VALUES (0)"))

    async def increment() -> None:
        async with db.write() as session:
            value = await session.scalar(sa.text("SELECT n FROM counter"))
            await asyncio.sleep(0)  # a read-modify-write that would lose updates without serialised writers
            await session.execute(sa.text("UPDATE counter SET n = :n"), {"n": value + 1})

    await asyncio.gather(*(increment() for _ in range(50)))
    async with db.read() as session:
        assert await session.scalar(sa.text("SELECT n FROM counter")) == 50
    await db.dispose()


async def test_a_write_inside_a_write_fails_at_once_instead_of_deadlocking(tmp_path) -> None:
    db = Database(f"sqlite:///{tmp_path}/n.sqlite", migrations="unused")
    async with db.write():
        with pytest.raises(RuntimeError, match="inside another"):
            async with db.write():
                pass
    await db.dispose()


def test_urls_are_normalised_to_the_drivers_the_services_use() -> None:
    assert async_url("sqlite:///x.sqlite") == "sqlite+aiosqlite:///x.sqlite"
    assert async_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert async_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert sync_url("sqlite+aiosqlite:///x.sqlite") == "sqlite:///x.sqlite"
    assert search_path_schema("postgresql://u@h/db?options=-csearch_path%3Dpayment") == "payment"
    assert search_path_schema("postgresql://u@h/db") is None
