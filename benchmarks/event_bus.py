"""Domain events end to end: recorded in a producer's outbox, published, consumed once per message id.

For each transport (the in-process bus, and RabbitMQ at SOLO60_AMQP_URL, default the local
guest/guest server), records N events in a SQLite outbox, lets a relay publish them (publisher
confirms on RabbitMQ) while a consumer handles each inside `once_per_event` on a SQLite
database of its own, and prints the time until the last one is handled: events per second end
to end, plus the publish side alone. Uses an exchange and queues of its own, deleted after.

    python benchmarks/event_bus.py [--events 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import aio_pika
import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

from solo60.contracts.events import Envelope
from solo60.contracts.events.subscription import RENEWAL_DUE, RenewalDue
from solo60.services.kit.database import Database, sync_url
from solo60.services.kit.events import (
    PUBLISH_EVENT,
    EventTarget,
    Subscription,
    events_seen_table,
    once_per_event,
    publish_later,
)
from solo60.services.kit.events.memory import InProcessBus
from solo60.services.kit.events.rabbitmq import RabbitBus
from solo60.services.kit.outbox import OutboxRelay, RetryPolicy, outbox_table

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def database(path: Path, metadata: sa.MetaData) -> Database:
    db = Database(f"sqlite:///{path}", migrations="unused")
    engine = sa.create_engine(sync_url(db.url))
    metadata.create_all(engine)
    engine.dispose()
    return db


async def run(transport: str, make_bus, events: int, directory: Path) -> tuple[float, float]:
    producer_meta, consumer_meta = sa.MetaData(), sa.MetaData()
    outbox = outbox_table(producer_meta)
    seen = events_seen_table(consumer_meta)
    producer_db = database(directory / f"{transport}-producer.sqlite", producer_meta)
    consumer_db = database(directory / f"{transport}-consumer.sqlite", consumer_meta)
    producer, consumer = make_bus(), make_bus()
    handled = 0
    done = asyncio.Event()

    async def handle(envelope: Envelope) -> None:
        nonlocal handled

        async def work(session) -> None:
            return None

        if await once_per_event(consumer_db, seen, envelope, work):
            handled += 1
            if handled == events:
                done.set()

    await consumer.subscribe(Subscription("benchmark", [RENEWAL_DUE.name], handle, prefetch=100))
    payload = RenewalDue(subscription_id="s-1", user_id="u-1", plan_name="Monthly", renews_at=NOW)
    async with producer_db.write() as session:
        for number in range(events):
            await publish_later(session, outbox, RENEWAL_DUE, payload, message_id=f"ev-{number}", occurred_at=NOW)
    relay = OutboxRelay(producer_db, outbox, {PUBLISH_EVENT: EventTarget(producer)}, policy=RetryPolicy(5, 0.05, 1))
    started = time.perf_counter()
    await relay.drain()
    published = time.perf_counter() - started
    async with asyncio.timeout(600):
        await done.wait()
    total = time.perf_counter() - started
    for bus in (producer, consumer):
        await bus.close()
    for db in (producer_db, consumer_db):
        await db.dispose()
    return published, total


async def cleanup(url: str, exchange: str) -> None:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        for queue in (f"{exchange}.benchmark", f"{exchange}.benchmark.dead"):
            await channel.queue_delete(queue)
        for name in (exchange, f"{exchange}.dead"):
            await channel.exchange_delete(name)


async def main(events: int) -> None:
    url = os.environ.get("SOLO60_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
    exchange = f"benchmark-{uuid.uuid4().hex[:8]}"
    transports: dict[str, object] = {
        "in-process": lambda: InProcessBus(exchange),
        "rabbitmq": lambda: RabbitBus(url, exchange=exchange),
    }
    table = Table(title=f"{events} events: outbox -> bus -> once_per_event")
    for column in ("transport", "publish (s)", "published/s", "end to end (s)", "events/s"):
        table.add_column(column, justify="right")
    with tempfile.TemporaryDirectory() as directory:
        for name, make_bus in transports.items():
            try:
                published, total = await run(name, make_bus, events, Path(directory))
            finally:
                if name == "rabbitmq":
                    await cleanup(url, exchange)
            table.add_row(
                name, f"{published:.2f}", f"{events / published:.0f}", f"{total:.2f}", f"{events / total:.0f}"
            )
    Console().print(table)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.events))
