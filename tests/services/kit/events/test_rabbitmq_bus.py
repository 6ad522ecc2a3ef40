"""The RabbitMQ bus on the real server: confirms, acknowledgements, redelivery and dead letters."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import aio_pika
import pytest

from solo60.contracts.events import Envelope
from solo60.services.kit.events import NoSubscriber, Rejected, Subscription
from solo60.services.kit.events.rabbitmq import RabbitBus
from tests.services.kit.events.waiting import WAIT_SECONDS, until


def an_event(message_id: str = "m-1", name: str = "subscription.renewal_due") -> Envelope:
    return Envelope(
        message_id=message_id,
        name=name,
        version=1,
        producer="subscription",
        occurred_at=datetime(2026, 1, 1, 9, tzinfo=UTC),
        correlation_id="corr-1",
        traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        payload={"subscriptionId": "s-1", "userId": "u-1", "planName": "Monthly", "renewsAt": "2026-01-08T00:00:00Z"},
    )


async def test_a_subscriber_receives_the_envelope_as_published(rabbit) -> None:
    received: list[Envelope] = []

    async def handler(envelope: Envelope) -> None:
        received.append(envelope)

    consumer, producer = (
        RabbitBus(rabbit.url, exchange=rabbit.exchange),
        RabbitBus(rabbit.url, exchange=rabbit.exchange),
    )
    rabbit.queue("mail")
    try:
        await consumer.subscribe(Subscription("mail", ["subscription.renewal_due"], handler))
        await producer.publish(an_event())

        async def arrived() -> bool:
            return bool(received)

        await until(arrived)
    finally:
        await producer.close()
        await consumer.close()
    assert received == [an_event()]


async def test_an_event_no_queue_takes_is_refused_not_dropped(rabbit) -> None:
    producer = RabbitBus(rabbit.url, exchange=rabbit.exchange)
    try:
        with pytest.raises(NoSubscriber):
            await producer.publish(an_event())
    finally:
        await producer.close()


async def test_a_message_that_keeps_failing_ends_in_the_dead_letter_queue(rabbit) -> None:
    attempts: list[str] = []

    async def handler(envelope: Envelope) -> None:
        attempts.append(envelope.message_id)
        raise RuntimeError("the mail database is down")

    queue = rabbit.queue("mail")
    bus = RabbitBus(rabbit.url, exchange=rabbit.exchange)
    try:
        await bus.subscribe(Subscription("mail", ["subscription.renewal_due"], handler, max_deliveries=3))
        await bus.publish(an_event())

        async def dead_lettered() -> bool:
            return await rabbit.depth(f"{queue}.dead") == 1

        await until(dead_lettered)
    finally:
        await bus.close()
    assert attempts == ["m-1"] * 3
    assert await rabbit.depth(queue) == 0


async def test_a_message_no_redelivery_can_help_is_dead_lettered_at_once(rabbit) -> None:
    attempts: list[str] = []

    async def handler(envelope: Envelope) -> None:
        attempts.append(envelope.message_id)
        raise Rejected("the payload breaks the contract")

    queue = rabbit.queue("mail")
    bus = RabbitBus(rabbit.url, exchange=rabbit.exchange)
    try:
        await bus.subscribe(Subscription("mail", ["subscription.renewal_due"], handler))
        await bus.publish(an_event())
        # Not an event at all: no name, no version.
        connection = await aio_pika.connect(rabbit.url)
        async with connection:
            channel = await connection.channel()
            exchange = await channel.get_exchange(rabbit.exchange)
            await exchange.publish(
                aio_pika.Message(body=json.dumps([1]).encode()), routing_key="subscription.renewal_due"
            )

        async def dead_lettered() -> bool:
            return await rabbit.depth(f"{queue}.dead") == 2

        await until(dead_lettered)
    finally:
        await bus.close()
    assert attempts == ["m-1"]


async def test_messages_a_killed_consumer_held_unacknowledged_are_delivered_again(rabbit) -> None:
    """The first consumer takes a batch and dies holding it; the next one gets every message."""
    rabbit.queue("mail")
    taken = asyncio.Event()
    stuck = asyncio.Event()

    async def dies_holding(envelope: Envelope) -> None:
        taken.set()
        await stuck.wait()  # never acknowledges

    first = RabbitBus(rabbit.url, exchange=rabbit.exchange)
    await first.subscribe(Subscription("mail", ["subscription.renewal_due"], dies_holding, prefetch=10))
    producer = RabbitBus(rabbit.url, exchange=rabbit.exchange)
    try:
        for number in range(10):
            await producer.publish(an_event(f"m-{number}"))
        async with asyncio.timeout(WAIT_SECONDS):
            await taken.wait()
        await first.close()  # the connection goes away with the batch unacknowledged

        received: set[str] = set()

        async def handler(envelope: Envelope) -> None:
            received.add(envelope.message_id)

        second = RabbitBus(rabbit.url, exchange=rabbit.exchange)
        try:
            await second.subscribe(Subscription("mail", ["subscription.renewal_due"], handler))

            async def all_arrived() -> bool:
                return len(received) == 10

            await until(all_arrived)
        finally:
            await second.close()
    finally:
        stuck.set()
        await producer.close()
    assert received == {f"m-{number}" for number in range(10)}
