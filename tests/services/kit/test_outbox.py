"""The kit's outbox, the one every service uses: calls recorded with the main action, delivered later."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa

from solo60 import correlation
from solo60.services.kit.database import Database, sync_url
from solo60.services.kit.outbox import (
    DELIVERED,
    FAILED,
    PENDING,
    OutboxMessage,
    OutboxRelay,
    PermanentFailure,
    RetryPolicy,
    Send,
    call_or_refuse,
    enqueue,
    outbox_table,
)

metadata = sa.MetaData()
outbox = outbox_table(metadata)
NO_WAIT = RetryPolicy(max_attempts=3, base_seconds=0.0, max_seconds=0.0)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[Database]:
    url = request.getfixturevalue("postgres_url") if request.param == "postgres" else f"sqlite:///{tmp_path}/o.sqlite"
    database = Database(url, migrations="unused")
    engine = sa.create_engine(sync_url(database.url))
    metadata.create_all(engine)
    engine.dispose()
    yield database
    await database.dispose()


class Target:
    """A receiver that records calls and can fail a number of times first."""

    def __init__(self, failures: int = 0, error: Exception | None = None) -> None:
        self.calls: list[tuple[dict, str, str | None]] = []
        self.failures = failures
        self.error = error or ConnectionError("target down")

    async def __call__(self, payload: dict, key: str) -> None:
        self.calls.append((payload, key, correlation.correlation_id.get()))
        if self.failures:
            self.failures -= 1
            raise self.error


async def put(db: Database, payload: dict, message_id: str | None = None) -> str:
    async with db.write() as session:
        return await enqueue(session, outbox, "notify", payload, message_id=message_id)


async def statuses(db: Database) -> dict[str, tuple[str, int, str | None]]:
    async with db.read() as session:
        rows = await session.execute(sa.select(outbox.c.id, outbox.c.status, outbox.c.attempts, outbox.c.last_error))
        return {row.id: (row.status, row.attempts, row.last_error) for row in rows}


async def test_a_call_enqueued_in_a_rolled_back_transaction_never_happens(db: Database) -> None:
    async def failing_main_action() -> None:
        async with db.write() as session:
            await enqueue(session, outbox, "notify", {"n": 1})
            raise RuntimeError("the main action failed")

    with pytest.raises(RuntimeError):
        await failing_main_action()
    assert await statuses(db) == {}


async def test_a_message_is_delivered_once_with_its_key_and_the_original_correlation_id(db: Database) -> None:
    target = Target()
    token = correlation.correlation_id.set("booking-request-7")
    try:
        message_id = await put(db, {"to": "ada@example.com"})
    finally:
        correlation.correlation_id.reset(token)
    relay = OutboxRelay(db, outbox, {"notify": target}, policy=NO_WAIT)

    first = await relay.deliver_due()
    second = await relay.deliver_due()

    assert (first.delivered, second.delivered) == (1, 0)
    assert target.calls == [({"to": "ada@example.com"}, f"outbox-{message_id}", "booking-request-7")]
    assert (await statuses(db))[message_id][0] == DELIVERED


async def test_enqueueing_the_same_message_id_twice_records_one_call(db: Database) -> None:
    await put(db, {"n": 1}, message_id="booking-1-mail")
    await put(db, {"n": 2}, message_id="booking-1-mail")
    assert list(await statuses(db)) == ["booking-1-mail"]


async def test_a_failing_target_is_retried_after_a_backoff_with_the_same_key(db: Database) -> None:
    target = Target(failures=1)
    message_id = await put(db, {"n": 1})
    waiting = OutboxRelay(db, outbox, {"notify": target}, policy=RetryPolicy(3, base_seconds=60, max_seconds=60))

    failed_once = await waiting.deliver_due()
    not_yet = await waiting.deliver_due()

    assert (failed_once.retried, not_yet.delivered) == (1, 0)
    status, attempts, error = (await statuses(db))[message_id]
    assert (status, attempts) == (PENDING, 1)
    assert "target down" in error
    async with db.write() as session:  # time passes
        await session.execute(outbox.update().values(next_attempt_at=sa.func.current_timestamp()))
    assert (await OutboxRelay(db, outbox, {"notify": target}, policy=NO_WAIT).deliver_due()).delivered == 1
    assert {key for _, key, _ in target.calls} == {f"outbox-{message_id}"}


async def test_a_permanent_refusal_fails_the_message_at_once_keeping_the_error(db: Database) -> None:
    class Refused(Exception):
        status = 404

    async def refusing(payload: dict, key: str) -> None:
        await call_or_refuse(_raise(Refused("user 9 does not exist")))

    message_id = await put(db, {"n": 1})
    report = await OutboxRelay(db, outbox, {"notify": refusing}, policy=NO_WAIT).deliver_due()

    assert report.failed == 1
    status, attempts, error = (await statuses(db))[message_id]
    assert (status, attempts) == (FAILED, 1)
    assert "user 9 does not exist" in error


async def test_a_message_fails_after_its_last_attempt(db: Database) -> None:
    target = Target(failures=10)
    message_id = await put(db, {"n": 1})
    relay = OutboxRelay(db, outbox, {"notify": target}, policy=NO_WAIT)

    for _ in range(5):
        await relay.deliver_due()

    status, attempts, error = (await statuses(db))[message_id]
    assert (status, attempts) == (FAILED, 3)
    assert error.startswith("gave up after 3 attempts")
    assert len(target.calls) == 3


async def test_a_message_held_by_a_dead_relay_is_delivered_once_its_lease_expires(db: Database) -> None:
    target = Target()
    message_id = await put(db, {"n": 1})
    dead = OutboxRelay(db, outbox, {"notify": target}, lease=timedelta(minutes=5))
    assert await dead.store.claim(message_id) is not None  # claimed, then the process died

    other = OutboxRelay(db, outbox, {"notify": target}, policy=NO_WAIT)
    assert (await other.deliver_due()).delivered == 0
    async with db.write() as session:  # five minutes later
        await session.execute(outbox.update().values(lease_until=sa.func.current_timestamp()))
    await asyncio.sleep(0.01)
    assert (await other.deliver_due()).delivered == 1
    assert target.calls[0][1] == f"outbox-{message_id}"


async def test_relays_running_side_by_side_deliver_each_message_once(db: Database) -> None:
    target = Target()
    for number in range(40):
        await put(db, {"n": number})
    relays = [OutboxRelay(db, outbox, {"notify": target}, policy=NO_WAIT, rng=random.Random(seed)) for seed in range(3)]

    await asyncio.gather(*(relay.deliver_due() for relay in relays))

    delivered = sorted(payload["n"] for payload, _, _ in target.calls)
    assert delivered == list(range(40))
    assert {status for status, _, _ in (await statuses(db)).values()} == {DELIVERED}


async def test_the_background_relay_delivers_as_soon_as_it_is_woken(db: Database) -> None:
    target = Target()
    relay = OutboxRelay(db, outbox, {"notify": target}, policy=NO_WAIT, idle_seconds=30)
    relay.start()
    try:
        await asyncio.sleep(0.05)
        await put(db, {"n": 1})
        relay.wake()
        for _ in range(100):
            if target.calls:
                break
            await asyncio.sleep(0.02)
    finally:
        await relay.stop()
    assert len(target.calls) == 1


async def test_an_unknown_operation_fails_instead_of_looping(db: Database) -> None:
    async with db.write() as session:
        message_id = await enqueue(session, outbox, "no-such-call", {})
    report = await OutboxRelay(db, outbox, {}, policy=NO_WAIT).deliver_due()
    assert report.failed == 1
    assert "no handler" in (await statuses(db))[message_id][2]


async def _raise(error: Exception) -> None:
    raise error


def test_permanent_refusals_are_told_from_temporary_ones() -> None:
    with pytest.raises(PermanentFailure):
        asyncio.run(call_or_refuse(_raise(type("E", (Exception,), {"status": 409})("conflict"))))
    with pytest.raises(ConnectionError):
        asyncio.run(call_or_refuse(_raise(ConnectionError("down"))))
    with pytest.raises(Exception, match="slow down"):
        asyncio.run(call_or_refuse(_raise(type("E", (Exception,), {"status": 429})("slow down"))))
    with pytest.raises(Exception, match="key rotating"):
        asyncio.run(call_or_refuse(_raise(type("E", (Exception,), {"status": 401})("key rotating"))))


def test_relay_settings_prefer_the_services_own_variables_and_name_a_bad_one() -> None:
    from solo60.environment import ConfigurationError
    from solo60.services.kit.outbox import RelaySettings
    from solo60.services.kit.settings import ServiceSettings

    settings = ServiceSettings.from_env(
        "session", {"SESSION_OUTBOX_MAX_ATTEMPTS": "3", "OUTBOX_MAX_ATTEMPTS": "9", "OUTBOX_IDLE_SECONDS": "0.5"}
    )
    chosen = RelaySettings.from_settings(settings)
    assert (chosen.max_attempts, chosen.idle_seconds, chosen.retry_max_seconds) == (3, 0.5, 300.0)
    with pytest.raises(ConfigurationError, match="PAYMENT_OUTBOX_IDLE_SECONDS"):
        RelaySettings.from_settings(ServiceSettings.from_env("payment", {"PAYMENT_OUTBOX_IDLE_SECONDS": "soon"}))


async def test_stopping_lets_the_pass_under_way_finish_its_delivery(db: Database) -> None:
    started, release = asyncio.Event(), asyncio.Event()
    delivered: list[dict] = []

    async def slow(payload: dict, key: str) -> None:
        started.set()
        await release.wait()
        delivered.append(payload)

    await put(db, {"n": 1})
    relay = OutboxRelay(db, outbox, {"notify": slow}, policy=NO_WAIT, idle_seconds=30)
    relay.start()
    await asyncio.wait_for(started.wait(), timeout=5)
    stopping = asyncio.create_task(relay.stop())
    await asyncio.sleep(0.05)
    assert not stopping.done()  # it waits for the delivery rather than cancelling it mid-call
    release.set()
    await asyncio.wait_for(stopping, timeout=5)
    assert delivered == [{"n": 1}]
    assert {status for status, _, _ in (await statuses(db)).values()} == {DELIVERED}


async def test_stopping_an_idle_relay_returns_at_once_even_right_after_a_wake(db: Database) -> None:
    relay = OutboxRelay(db, outbox, {}, policy=NO_WAIT, idle_seconds=30)
    for _ in range(20):
        relay.start()
        await asyncio.sleep(0)
        relay.wake()
        await asyncio.wait_for(relay.stop(), timeout=5)


async def test_a_delayed_message_waits_and_a_forgotten_one_never_goes(db: Database) -> None:
    from datetime import UTC, datetime, timedelta

    from solo60.services.kit.outbox import forget

    target = Target()
    async with db.write() as session:
        await enqueue(
            session, outbox, "notify", {"n": 1}, message_id="later", not_before=datetime.now(UTC) + timedelta(hours=1)
        )
        await enqueue(session, outbox, "notify", {"n": 2}, message_id="moot")
    async with db.write() as session:
        assert await forget(session, outbox, "moot") is True
        assert await forget(session, outbox, "moot") is False
    assert (await OutboxRelay(db, outbox, {"notify": target}, policy=NO_WAIT).deliver_due()).delivered == 0
    assert list(await statuses(db)) == ["later"]


class ConcurrentTarget:
    """A target with a connection per pass that may say how many sends it takes at once; notes the most seen."""

    def __init__(self, in_flight: int | None, refuse: frozenset[int] = frozenset()) -> None:
        if in_flight is not None:
            self.in_flight = in_flight
        self.refuse = refuse
        self.started: list[int] = []
        self.under_way = 0
        self.most_under_way = 0

    @asynccontextmanager
    async def sender(self) -> AsyncIterator[Send]:
        async def send(message: OutboxMessage) -> None:
            number = message.payload["n"]
            self.started.append(number)
            self.under_way += 1
            self.most_under_way = max(self.most_under_way, self.under_way)
            try:
                for _ in range(5):
                    await asyncio.sleep(0)  # let the others of a batch start meanwhile
                if number in self.refuse:
                    raise ConnectionError(f"refused {number}")
            finally:
                self.under_way -= 1

        yield send


@pytest.mark.parametrize(("in_flight", "most"), [(5, 5), (None, 1)])
async def test_a_target_that_takes_several_at_once_gets_batches_in_due_order_and_a_failure_is_retried_alone(
    db: Database, in_flight: int | None, most: int
) -> None:
    for number in range(12):
        await put(db, {"n": number}, message_id=f"m-{number:02d}")
    target = ConcurrentTarget(in_flight, refuse=frozenset({7}))
    relay = OutboxRelay(db, outbox, {"notify": target}, policy=RetryPolicy(3, base_seconds=60, max_seconds=60))

    report = await relay.deliver_due()

    assert (report.delivered, report.retried) == (11, 1)
    assert target.started == list(range(12))  # due order, whatever the batching
    assert target.most_under_way == most  # in_flight at once, or one at a time without it
    outcome = await statuses(db)
    assert outcome["m-07"][:2] == (PENDING, 1)
    assert "refused 7" in outcome["m-07"][2]
    assert {status for message_id, (status, _, _) in outcome.items() if message_id != "m-07"} == {DELIVERED}
