"""Idempotency keys: one effect per key, even when requests with the same key race."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa

from solo60.services.kit.database import Database, sync_url
from solo60.services.kit.errors import IdempotencyKeyReused, InsufficientCredits
from solo60.services.kit.idempotency import fingerprint, idempotency_table, run_once

metadata = sa.MetaData()
records = idempotency_table(metadata)
effects = sa.Table("effects", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("note", sa.String(50)))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[Database]:
    url = request.getfixturevalue("postgres_url") if request.param == "postgres" else f"sqlite:///{tmp_path}/i.sqlite"
    engine = sa.create_engine(sync_url(Database(url, migrations="unused").url))
    metadata.create_all(engine)
    engine.dispose()
    database = Database(url, migrations="unused")
    yield database
    await database.dispose()


def work(note: str, delay: float = 0.0):
    async def run(session) -> tuple[int, dict]:
        result = await session.execute(effects.insert().values(note=note))
        await asyncio.sleep(delay)  # widen the race window
        return 201, {"effect": result.inserted_primary_key[0], "note": note}

    return run


async def count_effects(db: Database) -> int:
    async with db.read() as session:
        return await session.scalar(sa.select(sa.func.count()).select_from(effects))


async def test_a_repeated_key_returns_the_first_result_without_acting_again(db: Database) -> None:
    first = await run_once(db, records, operation="debit", key="k1", request_fingerprint="f", work=work("first"))
    second = await run_once(db, records, operation="debit", key="k1", request_fingerprint="f", work=work("second"))

    assert (first.replayed, second.replayed) == (False, True)
    assert second.response == first.response == {"effect": 1, "note": "first"}
    assert await count_effects(db) == 1


async def test_the_same_key_with_another_request_is_refused(db: Database) -> None:
    await run_once(db, records, operation="debit", key="k1", request_fingerprint="a", work=work("a"))
    with pytest.raises(IdempotencyKeyReused):
        await run_once(db, records, operation="debit", key="k1", request_fingerprint="b", work=work("b"))
    assert await count_effects(db) == 1


async def test_a_key_is_scoped_to_its_operation(db: Database) -> None:
    await run_once(db, records, operation="debit", key="k1", request_fingerprint="a", work=work("debit"))
    refund = await run_once(db, records, operation="refund", key="k1", request_fingerprint="a", work=work("refund"))
    assert refund.replayed is False
    assert await count_effects(db) == 2


async def test_concurrent_requests_with_one_key_act_exactly_once(db: Database) -> None:
    results = await asyncio.gather(
        *(
            run_once(db, records, operation="debit", key="race", request_fingerprint="same", work=work(f"r{i}", 0.02))
            for i in range(20)
        )
    )

    assert await count_effects(db) == 1
    assert len({str(result.response) for result in results}) == 1
    assert sum(not result.replayed for result in results) == 1


async def test_a_failure_consumes_nothing_so_a_retry_is_evaluated_afresh(db: Database) -> None:
    async def refuse(session) -> tuple[int, dict]:
        await session.execute(effects.insert().values(note="rolled back"))
        raise InsufficientCredits("short")

    with pytest.raises(InsufficientCredits):
        await run_once(db, records, operation="debit", key="k", request_fingerprint="f", work=refuse)
    retried = await run_once(db, records, operation="debit", key="k", request_fingerprint="f", work=work("ok"))

    assert retried.replayed is False
    assert await count_effects(db) == 1


def test_fingerprints_ignore_key_order_but_not_values() -> None:
    assert fingerprint({"a": 1, "b": 2}) == fingerprint({"b": 2, "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})


async def test_a_constraint_violation_inside_the_work_is_its_own_error_not_a_lost_race(db: Database) -> None:
    await run_once(db, records, operation="debit", key="k1", request_fingerprint="a", work=work("taken"))
    calls = 0

    async def duplicate_effect(session) -> tuple[int, dict]:
        nonlocal calls
        calls += 1
        await session.execute(effects.insert().values(id=1, note="duplicate primary key"))
        return 201, {}

    with pytest.raises(sa.exc.IntegrityError):
        await run_once(db, records, operation="debit", key="k2", request_fingerprint="b", work=duplicate_effect)
    assert calls == 1
