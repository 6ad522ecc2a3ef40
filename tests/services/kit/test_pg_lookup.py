"""PostgreSQL lookups run on psycopg directly (`pg_lookup`) give what SQLAlchemy's execute gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from solo60.services.kit import UtcDateTime
from solo60.services.kit.database import Database

pytestmark = pytest.mark.postgres

metadata = sa.MetaData()
ITEMS = sa.Table(
    "items",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("tags", sa.JSON),
    sa.Column("active", sa.Boolean),
    sa.Column("price", sa.Numeric(10, 2)),
    sa.Column("seen_at", UtcDateTime, nullable=True),
)
BY_ID = sa.select(ITEMS).where(ITEMS.c.id == sa.bindparam("item_id"))
SEEN = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)


@pytest.fixture
async def db(postgres_url: str):
    # A session time zone other than UTC: the server then answers timestamps in Tokyo time, and
    # only the column type's result processor turns them back to UTC.
    database = Database(postgres_url + quote(" -ctimezone=Asia/Tokyo"), migrations="unused")
    async with database.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
        await connection.execute(
            ITEMS.insert(),
            [
                {"id": "a", "tags": ["x", "y"], "active": True, "price": "9.50", "seen_at": SEEN},
                {"id": "b", "tags": [], "active": False, "price": None, "seen_at": None},
            ],
        )
    yield database
    await database.dispose()


async def _through_sqlalchemy(db: Database, statement: sa.Executable, parameters: dict | None = None):
    async with db.engine.connect() as connection:
        return (await connection.execute(statement, parameters)).first()


async def test_a_row_by_key_has_the_values_and_types_sqlalchemy_gives(db: Database) -> None:
    row = await db.fetch_one(BY_ID, {"item_id": "a"})
    assert row is not None
    assert row == await _through_sqlalchemy(db, BY_ID, {"item_id": "a"})
    assert row._asdict() == {
        "id": "a",
        "tags": ["x", "y"],
        "active": True,
        "price": row.price,
        "seen_at": SEEN,
    }
    assert str(row.price) == "9.50"
    assert row.seen_at.utcoffset() == timedelta(0)  # UTC, although the session's zone is Tokyo
    assert row.seen_at.tzinfo is UTC
    assert row._mapping["tags"] == ["x", "y"]

    again = await db.fetch_one(BY_ID, {"item_id": "b"})  # the compiled statement, reused
    assert again is not None
    assert (again.tags, again.active, again.price, again.seen_at) == ([], False, None, None)
    assert await db.fetch_one(BY_ID, {"item_id": "nobody"}) is None


async def test_text_statements_and_percent_signs_and_expanding_lists_work_too(db: Database) -> None:
    counted = await db.fetch_one(sa.text("SELECT count(*) AS n, min(id) AS first FROM items WHERE id LIKE 'a%'"))
    assert counted is not None
    assert (counted.n, counted.first) == (1, "a")

    # An IN list is completed per call: SQLAlchemy runs it, with the same answer.
    some = sa.select(sa.func.count().label("n")).where(ITEMS.c.id.in_(sa.bindparam("ids", expanding=True)))
    found = await db.fetch_one(some, {"ids": ["a", "b", "c"]})
    assert found is not None
    assert found.n == 2


async def test_errors_come_out_as_sqlalchemys_and_leave_the_pool_usable(db: Database) -> None:
    with pytest.raises(sa.exc.ProgrammingError):
        await db.fetch_one(sa.text("SELECT * FROM no_such_table"))
    with pytest.raises(sa.exc.DataError):
        await db.fetch_one(sa.text("SELECT CAST(:v AS integer) AS n"), {"v": "not a number"})
    with pytest.raises(sa.exc.StatementError):
        await db.fetch_one(BY_ID)  # a parameter left out
    row = await db.fetch_one(BY_ID, {"item_id": "a"})
    assert row is not None
    assert row.id == "a"
    assert db.engine.sync_engine.pool.checkedout() == 0
