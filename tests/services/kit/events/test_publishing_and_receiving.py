"""From a producer's transaction to a consumer's, on both transports: once in effect, whatever repeats."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from solo60 import correlation
from solo60.contracts.events import Envelope
from solo60.contracts.events.subscription import RENEWAL_DUE, RenewalDue
from solo60.services.kit.database import Database, sync_url
from solo60.services.kit.events import (
    PUBLISH_EVENT,
    EventTarget,
    NoSubscriber,
    Subscription,
    events_seen_table,
    once_per_event,
    publish_later,
)
from solo60.services.kit.events.memory import InProcessBus, queues_of
from solo60.services.kit.events.rabbitmq import RabbitBus
from solo60.services.kit.outbox import DELIVERED, OutboxRelay, RetryPolicy, outbox_table
from tests.services.kit.events.waiting import until

metadata = sa.MetaData()
outbox = outbox_table(metadata)
seen = events_seen_table(metadata)
done = sa.Table("done", metadata, sa.Column("message_id", sa.String(128)))
NOW = datetime(2026, 1, 1, 9, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path) -> AsyncIterator[Database]:
    database = Database(f"sqlite:///{tmp_path}/events.sqlite", migrations="unused")
    engine = sa.create_engine(sync_url(database.url))
    metadata.create_all(engine)
    engine.dispose()
    yield database
    await database.dispose()


@pytest.fixture(params=["in-process", "rabbitmq"])
async def bus_pair(request: pytest.FixtureRequest, rabbit):
    """A producer's bus and a consumer's bus on one exchange, and the consumer's queue name."""
    if request.param == "in-process":
        consumer = InProcessBus(rabbit.exchange)
        yield InProcessBus(rabbit.exchange), consumer, "communication"
        await consumer.close()
        return
    producer, consumer = (
        RabbitBus(rabbit.url, exchange=rabbit.exchange),
        RabbitBus(rabbit.url, exchange=rabbit.exchange),
    )
    rabbit.queue("communication")  # deleted after the test
    yield producer, consumer, "communication"
    await producer.close()
    await consumer.close()


def renewal(subscription_id: str = "s-1") -> RenewalDue:
    return RenewalDue(subscription_id=subscription_id, user_id="u-1", plan_name="Monthly", renews_at=NOW)


def an_envelope(message_id: str) -> Envelope:
    return Envelope(
        message_id=message_id,
        name=RENEWAL_DUE.name,
        version=1,
        producer="subscription",
        occurred_at=NOW,
        payload=RENEWAL_DUE.body(renewal()),
    )


async def test_an_event_recorded_with_the_change_reaches_the_consumer_once_whatever_repeats(db, bus_pair) -> None:
    producer, consumer, queue = bus_pair
    acted: list[Envelope] = []

    async def handle(envelope: Envelope) -> None:
        async def work(session) -> None:
            await session.execute(done.insert().values(message_id=envelope.message_id))
            acted.append(envelope)

        await once_per_event(db, seen, envelope, work)

    await consumer.subscribe(Subscription(queue, [RENEWAL_DUE.name], handle))
    token = correlation.correlation_id.set("corr-42")
    try:
        async with db.write() as session:
            published = await publish_later(session, outbox, RENEWAL_DUE, renewal(), message_id="ev-1", occurred_at=NOW)
            await publish_later(session, outbox, RENEWAL_DUE, renewal(), message_id="ev-1", occurred_at=NOW)
    finally:
        correlation.correlation_id.reset(token)
    relay = OutboxRelay(db, outbox, {PUBLISH_EVENT: EventTarget(producer)}, policy=RetryPolicy(3, 0, 0))
    assert (await relay.drain()).delivered == 1
    await producer.publish(published)  # a publisher that published twice (confirm lost, say)
    await producer.publish(published)

    async def consumed() -> bool:
        async with db.read() as session:
            return await session.scalar(sa.select(sa.func.count()).select_from(seen)) == 1

    await until(consumed)
    await asyncio.sleep(0.5)  # the duplicates are consumed and dropped meanwhile
    async with db.read() as session:
        assert (await session.execute(sa.select(done.c.message_id))).scalars().all() == ["ev-1"]
    (envelope,) = acted
    assert envelope.correlation_id == "corr-42"
    assert RENEWAL_DUE.parse(envelope.payload) == renewal()


async def test_an_event_nobody_subscribed_to_stays_in_the_outbox(db) -> None:
    bus = InProcessBus("test-nobody")
    async with db.write() as session:
        await publish_later(session, outbox, RENEWAL_DUE, renewal(), message_id="ev-2", occurred_at=NOW)
    relay = OutboxRelay(db, outbox, {PUBLISH_EVENT: EventTarget(bus)}, policy=RetryPolicy(3, 60, 60))
    report = await relay.drain()
    assert report.delivered == 0
    assert report.retried == 1
    async with db.read() as session:
        status = await session.scalar(sa.select(outbox.c.status).where(outbox.c.id == "ev-2"))
    assert status != DELIVERED
    with pytest.raises(NoSubscriber):
        await bus.publish(an_envelope("m-2"))


async def test_the_in_process_bus_redelivers_then_dead_letters() -> None:
    bus = InProcessBus("test-dead")
    attempts: list[str] = []

    async def failing(envelope: Envelope) -> None:
        attempts.append(envelope.message_id)
        raise RuntimeError("down")

    await bus.subscribe(Subscription("mail", [RENEWAL_DUE.name], failing, max_deliveries=3))
    try:
        await bus.publish(an_envelope("m-1"))
        queue = queues_of("test-dead")["mail"]

        async def dead_lettered() -> bool:
            return bool(queue.dead)

        await until(dead_lettered)
    finally:
        await bus.close()
    assert attempts == ["m-1"] * 3


def test_production_refuses_the_in_process_bus_and_a_broker_url_that_is_not_amqp() -> None:
    from solo60.environment import ConfigurationError
    from solo60.services.kit.events import bus_from_settings
    from solo60.services.kit.settings import ServiceSettings

    production = {"SOLO60_ENV": "production", "SERVICE_API_KEYS": "session:k1"}
    with pytest.raises(ConfigurationError, match="SOLO60_AMQP_URL is not set: in production"):
        bus_from_settings(ServiceSettings.from_env("subscription", production))
    with pytest.raises(ConfigurationError, match="SOLO60_AMQP_URL: expected amqp://"):
        bus_from_settings(ServiceSettings.from_env("subscription", {"SOLO60_AMQP_URL": "redis://127.0.0.1:6379"}))
    chosen = bus_from_settings(ServiceSettings.from_env("subscription", {**production, "SOLO60_AMQP_URL": "amqp://r/"}))
    assert isinstance(chosen, RabbitBus)
    assert isinstance(bus_from_settings(ServiceSettings.from_env("subscription", {})), InProcessBus)
