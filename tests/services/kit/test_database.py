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


async def test_postgresql_connections_killed_under_the_pool_cost_no_failed_request(postgres_url) -> None:
    """No ping per checkout: the first lookup to find its connection dead retries, and the pool drops the rest."""
    url = f"{postgres_url}&application_name=solo60-disconnect-test"
    db = Database(url, migrations="unused")
    async with db.write() as session:
        await session.execute(sa.text("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)"))
        await session.execute(sa.text("INSERT INTO items VALUES (1, 'first')"))
    lookup = sa.text("SELECT name FROM items WHERE id = :id")

    async def hold_a_connection() -> None:
        async with db.read() as session:
            await session.execute(sa.text("SELECT pg_sleep(0.05)"))

    await asyncio.gather(*(hold_a_connection() for _ in range(3)))  # three connections now wait in the pool
    admin = sa.create_engine(sync_url(async_url(postgres_url)), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        killed = connection.execute(
            sa.text(
                "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'solo60-disconnect-test' AND pid <> pg_backend_pid()) AS t"
            )
        ).scalar_one()
    admin.dispose()
    assert killed >= 3

    row = await db.fetch_one(lookup, {"id": 1})
    assert row is not None
    assert row.name == "first"

    async def rename(suffix: str) -> None:
        async with db.write() as session:
            await session.execute(sa.text("UPDATE items SET name = name || :suffix WHERE id = 1"), {"suffix": suffix})

    await asyncio.gather(*(rename(suffix) for suffix in ("-a", "-b", "-c")))
    row = await db.fetch_one(lookup, {"id": 1})
    assert row is not None
    assert sorted(row.name.split("-")[1:]) == ["a", "b", "c"]
    await db.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "postgres":
        return request.getfixturevalue("postgres_url")
    return f"sqlite:///{tmp_path}/any.sqlite"


async def test_a_write_that_fails_leaves_nothing_behind_on_either_path(any_database_url) -> None:
    """PostgreSQL's pooled connections run in autocommit; writes must still be one transaction each."""
    db = Database(any_database_url, migrations="unused")
    async with db.write() as session:
        await session.execute(sa.text("CREATE TABLE items (id INTEGER PRIMARY KEY)"))
    insert = sa.text("INSERT INTO items VALUES (:id)")

    def insert_then_fail(connection: sa.Connection) -> None:
        connection.execute(insert, {"id": 1})
        raise LookupError("the handler changed its mind")

    async def insert_in_a_session_then_fail() -> None:
        async with db.write() as session:
            await session.execute(insert, {"id": 2})
            raise LookupError("the handler changed its mind")

    with pytest.raises(LookupError):
        await db.write_core(insert_then_fail)
    with pytest.raises(LookupError):
        await insert_in_a_session_then_fail()
    assert await db.write_core(lambda connection: connection.execute(insert, {"id": 3}).rowcount) == 1
    with pytest.raises(sa.exc.IntegrityError):
        await db.write_one(insert, {"id": 3})  # one statement alone, refused whole
    assert await db.write_one(insert, {"id": 4}) == 1

    count = sa.text("SELECT count(*) AS n, min(id) AS first FROM items")
    row = await db.fetch_one(count)
    assert row is not None
    assert (row.n, row.first) == (2, 3)
    await db.dispose()


async def test_a_core_write_sees_its_own_statements_and_concurrent_ones_all_commit(any_database_url) -> None:
    db = Database(any_database_url, migrations="unused")
    async with db.write() as session:
        await session.execute(sa.text("CREATE TABLE counter (n INTEGER)"))
        await session.execute(sa.text("INSERT INTO counter VALUES (0)"))

    def increment(connection: sa.Connection) -> int:
        value = connection.execute(sa.text("SELECT n FROM counter")).scalar_one()
        connection.execute(sa.text("UPDATE counter SET n = :n"), {"n": value + 1})
        return connection.execute(sa.text("SELECT n FROM counter")).scalar_one()

    if db.is_sqlite:  # one writer at a time; PostgreSQL would need a row lock for this read-modify-write
        seen = await asyncio.gather(*(db.write_core(increment) for _ in range(20)))
        assert sorted(seen) == list(range(1, 21))
    else:
        assert await db.write_core(increment) == 1
    await db.dispose()


async def test_a_postgresql_connection_returned_inside_a_transaction_is_rolled_back(postgres_url) -> None:
    """The pool no longer calls ROLLBACK on every return; one left in a transaction still gets it."""
    from sqlalchemy.util import await_, greenlet_spawn

    db = Database(postgres_url, migrations="unused", pool_size=1)
    async with db.write() as session:
        await session.execute(sa.text("CREATE TABLE items (id INTEGER PRIMARY KEY)"))
    pool = db.engine.sync_engine.pool

    def leave_a_transaction_open() -> None:
        connection = pool.connect()
        cursor = connection.driver_connection.cursor()
        await_(cursor.execute("BEGIN"))
        await_(cursor.execute("INSERT INTO items VALUES (1)"))
        connection.close()  # back to the pool, neither committed nor rolled back

    await greenlet_spawn(leave_a_transaction_open)
    row = await db.fetch_one(sa.text("SELECT count(*) AS n, now() = statement_timestamp() AS fresh FROM items"))
    assert row is not None
    assert row.n == 0
    assert row.fresh  # not inside the old transaction, whose now() would be earlier
    assert await db.write_one(sa.text("INSERT INTO items VALUES (1)")) == 1
    await db.dispose()
