"""Bounded growth: delivered outbox messages and idempotency records past retention are deleted, in batches.

On SQLite and on the real PostgreSQL, with the tables as every service declares them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from solo60.environment import ConfigurationError
from solo60.services.kit.database import Database, sync_url
from solo60.services.kit.events import events_seen_table
from solo60.services.kit.idempotency import idempotency_table
from solo60.services.kit.outbox import DELIVERED, FAILED, PENDING, outbox_table
from solo60.services.kit.retention import RetentionPolicy, purge, purge_seen_events

NOW = datetime(2031, 6, 1, 12, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=8)
RECENT = NOW - timedelta(days=6)
POLICY = RetentionPolicy(idempotency=timedelta(days=7), delivered=timedelta(days=7), batch=1000)

metadata = sa.MetaData()
outbox = outbox_table(metadata)
records = idempotency_table(metadata)
seen = events_seen_table(metadata)
TABLES = {"outbox_messages": outbox, "idempotency_records": records}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path) -> str:
    url = request.getfixturevalue("postgres_url") if request.param == "postgres" else f"sqlite:///{tmp_path}/r.sqlite"
    engine = sa.create_engine(sync_url(url))
    metadata.create_all(engine)
    engine.dispose()
    return url


@pytest.fixture
async def db(url: str) -> AsyncIterator[Database]:
    database = Database(url, migrations="unused")
    yield database
    await database.dispose()


def message(message_id: str, status: str, delivered_at: datetime | None, created_at: datetime = OLD) -> dict:
    return {
        "id": message_id,
        "operation": "notify",
        "payload": {},
        "status": status,
        "attempts": 1,
        "next_attempt_at": created_at,
        "created_at": created_at,
        "delivered_at": delivered_at,
    }


def record(key: str, created_at: datetime, operation: str = "signup") -> dict:
    return {
        "operation": operation,
        "key": key,
        "fingerprint": "f",
        "status": 201,
        "response": {},
        "created_at": created_at,
    }


async def seed(db: Database, messages: list[dict], keys: list[dict]) -> None:
    async with db.write() as session:
        if messages:
            await session.execute(outbox.insert(), messages)
        if keys:
            await session.execute(records.insert(), keys)


async def remaining(db: Database) -> tuple[set[str], set[str]]:
    async with db.read() as session:
        ids = set((await session.execute(sa.select(outbox.c.id))).scalars())
        keys = {f"{row.operation}/{row.key}" for row in await session.execute(sa.select(records))}
    return ids, keys


async def test_only_what_is_past_retention_and_done_with_is_deleted(db: Database) -> None:
    await seed(
        db,
        [
            message("delivered-old", DELIVERED, OLD),
            message("delivered-recent", DELIVERED, RECENT),
            message("pending-old", PENDING, None),
            message("failed-old", FAILED, None),
        ],
        [record("old", OLD), record("recent", RECENT), record("old", OLD, operation="refund")],
    )

    deleted = await purge(db, TABLES, now=NOW, policy=POLICY)

    assert deleted == (2, 1)
    ids, keys = await remaining(db)
    assert ids == {"delivered-recent", "pending-old", "failed-old"}  # work still to do, or for a person to see
    assert keys == {"signup/recent"}


async def test_a_dry_run_counts_and_deletes_nothing(db: Database) -> None:
    await seed(db, [message("delivered-old", DELIVERED, OLD)], [record("old", OLD)])

    assert await purge(db, TABLES, now=NOW, policy=POLICY, dry_run=True) == (1, 1)
    assert await remaining(db) == ({"delivered-old"}, {"signup/old"})


async def test_a_backlog_is_deleted_in_bounded_batches_each_its_own_transaction(db: Database, url: str) -> None:
    await seed(db, [message(f"m{n}", DELIVERED, OLD) for n in range(25)], [record(f"k{n}", OLD) for n in range(7)])
    deletes: list[int] = []

    def count(_conn, _cursor, statement: str, *_args) -> None:
        if statement.lstrip().upper().startswith("DELETE"):
            deletes.append(1)

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        deleted = await purge(db, TABLES, now=NOW, policy=RetentionPolicy(batch=10), dry_run=False)
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)

    assert deleted == (7, 25)
    assert len(deletes) == 1 + 3  # records: one batch of 7; messages: 10 + 10 + 5
    assert await remaining(db) == (set(), set())


async def test_runs_at_the_same_time_delete_everything_once_without_failing(db: Database, url: str) -> None:
    await seed(db, [message(f"m{n}", DELIVERED, OLD) for n in range(300)], [record(f"k{n}", OLD) for n in range(300)])
    runners = [Database(url, migrations="unused") for _ in range(3)]
    try:
        results = await asyncio.gather(
            *(purge(runner, TABLES, now=NOW, policy=RetentionPolicy(batch=25)) for runner in runners)
        )
    finally:
        for runner in runners:
            await runner.dispose()

    assert sum(records for records, _ in results) == 300
    assert sum(messages for _, messages in results) == 300
    assert await remaining(db) == (set(), set())


def test_the_retention_comes_from_the_environment_with_week_long_defaults() -> None:
    assert RetentionPolicy.from_environ({}) == RetentionPolicy(timedelta(days=7), timedelta(days=7), 1000)
    chosen = RetentionPolicy.from_environ(
        {
            "SOLO60_IDEMPOTENCY_RETENTION_DAYS": "2",
            "SOLO60_OUTBOX_RETENTION_DAYS": "0.5",
            "SOLO60_RETENTION_BATCH": "200",
        }
    )
    assert chosen == RetentionPolicy(timedelta(days=2), timedelta(hours=12), 200)


@pytest.mark.parametrize(
    ("environ", "says"),
    [
        ({"SOLO60_OUTBOX_RETENTION_DAYS": "a week"}, "SOLO60_OUTBOX_RETENTION_DAYS must be a number of days"),
        ({"SOLO60_IDEMPOTENCY_RETENTION_DAYS": "-1"}, "SOLO60_IDEMPOTENCY_RETENTION_DAYS must be a number of days"),
        ({"SOLO60_IDEMPOTENCY_RETENTION_DAYS": "0.01"}, "at least an hour"),
        ({"SOLO60_RETENTION_BATCH": "0"}, "SOLO60_RETENTION_BATCH must be a whole number"),
    ],
)
def test_a_bad_retention_setting_names_its_variable(environ: dict[str, str], says: str) -> None:
    with pytest.raises(ConfigurationError, match=says):
        RetentionPolicy.from_environ(environ)


async def test_consumed_event_ids_are_kept_as_long_as_delivered_messages_then_deleted(db: Database) -> None:
    async with db.write() as session:
        await session.execute(
            seen.insert(),
            [
                {"message_id": "old", "name": "session.booked", "seen_at": OLD},
                {"message_id": "recent", "name": "session.booked", "seen_at": RECENT},
            ],
        )

    assert await purge_seen_events(db, seen, now=NOW, policy=POLICY, dry_run=True) == 1
    assert await purge_seen_events(db, seen, now=NOW, policy=POLICY) == 1
    async with db.read() as session:
        assert (await session.execute(sa.select(seen.c.message_id))).scalars().all() == ["recent"]
