"""Communication consumes domain events and sends the mails they call for: one mail per event, whatever repeats."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import UTC, datetime

import aio_pika
import httpx
import pytest
import sqlalchemy as sa

from solo60.contracts.events import Envelope
from solo60.contracts.events.envelope import new_envelope
from solo60.contracts.events.session import (
    GUEST_INVITED,
    SESSION_BOOKED,
    SESSION_CANCELLED,
    GuestInvited,
    GymFacts,
    Person,
    SessionBooked,
    SessionCancelled,
)
from solo60.contracts.events.session import Guest as GuestFacts
from solo60.contracts.events.subscription import RENEWAL_DUE, RenewalDue
from solo60.services.communication import event_consumer, storage
from solo60.services.kit.database import Database, sync_url
from solo60.services.kit.events import PUBLISH_EVENT, EventTarget, publish_later
from solo60.services.kit.events.memory import InProcessBus
from solo60.services.kit.events.rabbitmq import RabbitBus
from solo60.services.kit.outbox import OutboxRelay, RetryPolicy, outbox_table
from tests.services.communication.smtp_server import SmtpServer, eventually
from tests.services.rabbit import broker_stopped

STARTS = datetime(2030, 1, 7, 17, tzinfo=UTC)
GYM = GymFacts(gym_id="g-1", name="Field Street Gym", timezone="Europe/London", admin_email="admin@field.example")
ADA = Person(user_id="u-1", name="Ada")
GRACE = GuestFacts(guest_id="gu-1", email="grace@example.com", name="Grace")
AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"


def runtime_of(communication: httpx.AsyncClient):
    return communication.app.state.runtime  # type: ignore[attr-defined]


def event(contract, payload, message_id: str | None = None) -> Envelope:
    return new_envelope(
        contract,
        payload,
        message_id=message_id or str(uuid.uuid4()),
        occurred_at=STARTS,
        correlation_id="corr-events",
    )


def renewal(number: int) -> RenewalDue:
    return RenewalDue(subscription_id=f"s-{number}", user_id="u-1", plan_name=f"Plan {number}", renews_at=STARTS)


async def test_a_booking_awaiting_approval_asks_the_gym_admin_and_an_invitation_reaches_the_guest(
    serve, smtp: SmtpServer
) -> None:
    async with serve("communication", environ=smtp.environ(SOLO60_AMQP_EXCHANGE="test-in-process")):
        bus = InProcessBus("test-in-process")
        booked = SessionBooked(
            session_id="se-1",
            gym=GYM,
            member=ADA,
            starts_at=STARTS,
            status="PENDING_APPROVAL",
            guests=[GRACE],
            noise_warning=False,
        )
        await bus.publish(event(SESSION_BOOKED, booked))
        await bus.publish(
            event(GUEST_INVITED, GuestInvited(session_id="se-1", gym=GYM, member=ADA, starts_at=STARTS, guest=GRACE))
        )
        received = await eventually(lambda: _at_least(smtp, 2), what="two mails")
        await bus.close()
    by_address = {mail.envelope_to[0]: mail for mail in received}
    request = by_address["admin@field.example"]
    assert request.subject == "Approval needed: Ada at Field Street Gym on Monday 7 January 2030, 17:00 (Europe/London)"
    assert "(guests: Grace)" in request.body
    assert "Field Street Gym team" in request.body
    invitation = by_address["grace@example.com"]
    assert invitation.subject == "Ada invited you to train at Field Street Gym"
    assert invitation.body.startswith("Hello Grace,")


async def test_a_cancelled_sessions_guests_are_told_and_a_member_mail_finds_the_members_address(
    serve, smtp: SmtpServer
) -> None:
    async with serve("communication", environ=smtp.environ(SOLO60_AMQP_EXCHANGE="test-cancel")) as communication:
        await runtime_of(communication).mail.recipients.remember("u-1", "ada@example.com")
        bus = InProcessBus("test-cancel")
        cancelled = SessionCancelled(
            session_id="se-2", gym=GYM, member=ADA, starts_at=STARTS, reason="ill", guests_to_tell=[GRACE]
        )
        await bus.publish(event(SESSION_CANCELLED, cancelled))
        await bus.publish(event(RENEWAL_DUE, renewal(1)))
        received = await eventually(lambda: _at_least(smtp, 2), what="two mails")
        await bus.close()
    by_address = {mail.envelope_to[0]: mail for mail in received}
    assert "Reason: ill" in by_address["grace@example.com"].body
    assert by_address["ada@example.com"].subject == "Plan 1 renews on 7 January 2030"


async def test_an_event_outside_its_contract_sends_nothing_and_is_dead_lettered(serve, smtp: SmtpServer) -> None:
    async with serve("communication", environ=smtp.environ(SOLO60_AMQP_EXCHANGE="test-bad")):
        bus = InProcessBus("test-bad")
        broken = event(RENEWAL_DUE, renewal(2))
        broken.payload.pop("planName")
        await bus.publish(broken)
        from solo60.services.kit.events.memory import queues_of

        queue = queues_of("test-bad")["communication"]
        await eventually(lambda: _async(bool(queue.dead)), what="a dead letter")
        await bus.close()
    assert smtp.received == []


@pytest.mark.slow
async def test_exactly_one_mail_per_event_through_duplicates_redelivery_and_a_consumer_killed_mid_batch(
    serve, new_database_url, smtp: SmtpServer, rabbit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the real RabbitMQ: 30 events, each published twice; the first consumer dies holding a batch
    (its tenth event committed but never acknowledged); a second one, on the same database, finishes."""
    rabbit.queue("communication")
    environ = smtp.environ(SOLO60_AMQP_URL=rabbit.url, SOLO60_AMQP_EXCHANGE=rabbit.exchange)
    environ["MAIL_DISPATCHER"] = "0"  # mail is sent once both consumers are done: what was queued is what counts
    events = [event(RENEWAL_DUE, renewal(number)) for number in range(30)]
    producer = RabbitBus(rabbit.url, exchange=rabbit.exchange)

    real_once = event_consumer.once_per_event
    handled = 0
    dead = asyncio.Event()

    async def dies_after_the_tenth(db, table, envelope, work) -> bool:
        nonlocal handled
        if dead.is_set():
            await asyncio.Event().wait()  # the dead consumer never acknowledges again
        done = await real_once(db, table, envelope, work)
        handled += 1
        if handled == 10:
            dead.set()
            await asyncio.Event().wait()  # committed, never acknowledged
        return done

    database_url = new_database_url("communication")  # both consumers share it
    try:
        monkeypatch.setattr(event_consumer, "once_per_event", dies_after_the_tenth)
        async with serve("communication", environ=environ, database_url=database_url) as first:
            for envelope in events:
                await producer.publish(envelope)
                await producer.publish(envelope)
            async with asyncio.timeout(30):
                await dead.wait()
            seen_by_first = await _seen(runtime_of(first).db)
        assert 1 <= seen_by_first < len(events)  # it died mid-batch
        monkeypatch.setattr(event_consumer, "once_per_event", real_once)
        environ.pop("MAIL_DISPATCHER")
        async with serve("communication", environ=environ, database_url=database_url) as second:
            db = runtime_of(second).db
            await runtime_of(second).mail.recipients.remember("u-1", "ada@example.com")
            await eventually(lambda: _async_seen(db, len(events)), what="every event handled")
            await eventually(lambda: _at_least(smtp, len(events)), what="every mail sent")
            await asyncio.sleep(1)  # duplicates still arriving would show up as extra mail meanwhile
            await eventually(lambda: _queue_empty(rabbit), what="the queue drained")
    finally:
        await producer.close()
    subjects = Counter(mail.subject for mail in smtp.received)
    assert subjects == Counter({f"Plan {number} renews on 7 January 2030": 1 for number in range(30)})
    assert await rabbit.depth(f"{rabbit.exchange}.communication.dead") == 0


async def _seen(db) -> int:
    async with db.read() as session:
        return await session.scalar(sa.select(sa.func.count()).select_from(storage.events_seen))


async def _async_seen(db, count: int) -> bool:
    return await _seen(db) >= count


async def _at_least(smtp: SmtpServer, count: int):
    return list(smtp.received) if len(smtp.received) >= count else None


async def _async(value):
    return value


async def _queue_empty(rabbit) -> bool:
    connection = await aio_pika.connect(rabbit.url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(f"{rabbit.exchange}.communication", passive=True)
        return queue.declaration_result.message_count == 0


@pytest.mark.slow
async def test_exactly_one_mail_per_event_when_the_broker_drops_every_connection_mid_burst(
    serve, smtp: SmtpServer, rabbit, tmp_path
) -> None:
    """The broker closes the producer's and the consumer's connections while 40 events are under way
    (what a RabbitMQ restart does to them): both reconnect, the outbox republishes what was not
    confirmed, the queue redelivers what was not acknowledged, and every member gets one mail."""
    rabbit.queue("communication")
    environ = smtp.environ(SOLO60_AMQP_URL=rabbit.url, SOLO60_AMQP_EXCHANGE=rabbit.exchange)
    metadata = sa.MetaData()
    outbox = outbox_table(metadata)
    producer_db = Database(f"sqlite:///{tmp_path}/producer.sqlite", migrations="unused")
    engine = sa.create_engine(sync_url(producer_db.url))
    metadata.create_all(engine)
    engine.dispose()
    producer = RabbitBus(rabbit.url, exchange=rabbit.exchange)
    relay = OutboxRelay(
        producer_db,
        outbox,
        {PUBLISH_EVENT: EventTarget(producer)},
        policy=RetryPolicy(50, 0.05, 0.5),
        idle_seconds=0.05,
    )
    try:
        async with serve("communication", environ=environ) as communication:
            runtime = runtime_of(communication)
            await runtime.mail.recipients.remember("u-1", "ada@example.com")
            async with producer_db.write() as session:
                for number in range(40):
                    await publish_later(
                        session, outbox, RENEWAL_DUE, renewal(number), message_id=f"ev-{number}", occurred_at=STARTS
                    )
            relay.start()
            await eventually(lambda: _async_seen(runtime.db, 5), what="the burst under way")
            dropped = rabbit.drop_connections()
            handled_when_dropped = await _seen(runtime.db)
            await eventually(lambda: _async_seen(runtime.db, 40), what="every event handled", within=60)
            await eventually(lambda: _at_least(smtp, 40), what="every mail sent")
            await asyncio.sleep(1)  # a late redelivery would show up as an extra mail meanwhile
    finally:
        await relay.stop()
        await producer.close()
        await producer_db.dispose()
    assert dropped >= 2  # the producer's connection and the consumer's
    assert handled_when_dropped < 40  # mid-burst
    subjects = Counter(mail.subject for mail in smtp.received)
    assert subjects == Counter({f"Plan {number} renews on 7 January 2030": 1 for number in range(40)})


@pytest.mark.slow
async def test_exactly_one_mail_per_event_through_a_rabbitmq_restart_mid_burst(
    serve, smtp: SmtpServer, rabbit_alone, tmp_path
) -> None:
    """The broker application is stopped (`rabbitmqctl stop_app`) while 100 events are under way and
    started again: the durable quorum queue keeps what was published, the consumer reconnects and
    gets again what it had not acknowledged, the 100 events recorded during the outage wait in the
    outbox and are published once the broker is back, and every event still makes one mail."""
    rabbit = rabbit_alone  # no other test uses the broker while this one restarts it
    rabbit.queue("communication")
    environ = smtp.environ(SOLO60_AMQP_URL=rabbit.url, SOLO60_AMQP_EXCHANGE=rabbit.exchange)
    metadata = sa.MetaData()
    outbox = outbox_table(metadata)
    producer_db = Database(f"sqlite:///{tmp_path}/producer.sqlite", migrations="unused")
    engine = sa.create_engine(sync_url(producer_db.url))
    metadata.create_all(engine)
    engine.dispose()
    producer = RabbitBus(rabbit.url, exchange=rabbit.exchange)
    relay = OutboxRelay(
        producer_db,
        outbox,
        {PUBLISH_EVENT: EventTarget(producer)},
        policy=RetryPolicy(500, 0.05, 0.5),
        idle_seconds=0.05,
    )

    async def record(numbers: range) -> None:
        async with producer_db.write() as session:
            for number in numbers:
                await publish_later(
                    session, outbox, RENEWAL_DUE, renewal(number), message_id=f"ev-{number}", occurred_at=STARTS
                )
        relay.wake()

    try:
        async with serve("communication", environ=environ) as communication:
            runtime = runtime_of(communication)
            await runtime.mail.recipients.remember("u-1", "ada@example.com")
            await record(range(100))
            relay.start()
            await eventually(lambda: _async_seen(runtime.db, 5), what="the burst under way")
            async with broker_stopped(rabbit.url):
                handled_while_down = await _seen(runtime.db)
                await record(range(100, 200))  # the producer goes on while the broker is away
                await eventually(lambda: _retried(producer_db, outbox), what="a publish refused", within=45)
            await eventually(lambda: _async_seen(runtime.db, 200), what="every event handled", within=120)
            await eventually(lambda: _at_least(smtp, 200), what="every mail sent", within=60)
            await asyncio.sleep(1)  # a late redelivery would show up as an extra mail meanwhile
            undelivered = await _pending(producer_db, outbox)
    finally:
        await relay.stop()
        await producer.close()
        await producer_db.dispose()
    assert handled_while_down < 200  # the restart came mid-burst
    assert undelivered == 0
    subjects = Counter(mail.subject for mail in smtp.received)
    assert subjects == Counter({f"Plan {number} renews on 7 January 2030": 1 for number in range(200)})
    assert await rabbit.depth(f"{rabbit.exchange}.communication.dead") == 0


async def _retried(db: Database, outbox: sa.Table) -> bool:
    """Some publish failed while the broker was away (its error is kept on the outbox row)."""
    async with db.read() as session:
        return bool(await session.scalar(sa.select(sa.func.count()).where(outbox.c.last_error.is_not(None))))


async def _pending(db: Database, outbox: sa.Table) -> int:
    async with db.read() as session:
        return await session.scalar(sa.select(sa.func.count()).where(outbox.c.status != "DELIVERED"))
