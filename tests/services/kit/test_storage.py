"""insert_or_ignore and upsert behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa

from solo60.services.kit.database import Database, sync_url
from solo60.services.kit.storage import insert_or_ignore, upsert

metadata = sa.MetaData()
things = sa.Table("things", metadata, sa.Column("key", sa.String(20), primary_key=True), sa.Column("value", sa.Integer))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[Database]:
    url = request.getfixturevalue("postgres_url") if request.param == "postgres" else f"sqlite:///{tmp_path}/s.sqlite"
    database = Database(url, migrations="unused")
    engine = sa.create_engine(sync_url(database.url))
    metadata.create_all(engine)
    engine.dispose()
    yield database
    await database.dispose()


async def values(db: Database) -> dict[str, int]:
    async with db.read() as session:
        return {row.key: row.value for row in await session.execute(sa.select(things))}


async def test_insert_or_ignore_inserts_once_even_when_callers_race(db: Database) -> None:
    async def insert(value: int) -> bool:
        async with db.write() as session:
            return await insert_or_ignore(session, things, {"key": "a", "value": value}, conflict_on=["key"])

    inserted = await asyncio.gather(*(insert(value) for value in range(10)))

    assert sum(inserted) == 1
    assert list((await values(db)).keys()) == ["a"]


async def test_upsert_inserts_then_updates_the_named_columns(db: Database) -> None:
    for value in (1, 2):
        async with db.write() as session:
            await upsert(session, things, {"key": "a", "value": value}, conflict_on=["key"], update=["value"])
    assert await values(db) == {"a": 2}
