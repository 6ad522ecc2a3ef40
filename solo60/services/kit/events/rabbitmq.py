"""RabbitMQ through aio-pika: what at-least-once delivery needs from a real broker.

- One durable topic exchange (`solo60.events`); an event's name is its routing key.
- Each consumer a durable quorum queue (`<exchange>.<consumer>`) bound to the names it reads; a handler that raises
  has its message returned (`nack`, requeued) and redelivered, and after `max_deliveries` the
  queue's delivery limit sends it to the consumer's dead-letter queue (`<queue>.dead`, via
  `<exchange>.dead`). A message no redelivery can help goes there at once (`Rejected`).
- Manual acknowledgements, after the handler returned: a consumer killed mid-batch leaves
  its unacknowledged messages to be delivered again.
- Publisher confirms, persistent messages and `mandatory`: `publish` returns once the broker
  holds the message in a queue; an event no queue is bound for yet raises `NoSubscriber`, so
  the producer's outbox keeps it and tries again, rather than the broker dropping it.
- A robust connection: after a broker restart it reconnects and re-declares the consumers;
  publishing meanwhile fails and the outbox retries.

The envelope travels as AMQP properties (message id, correlation id, type, timestamp) and
headers (`envelope.headers()`), the payload as the JSON body.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import aio_pika
import aio_pika.abc
import aio_pika.exceptions

from solo60.contracts.events import Envelope
from solo60.services.kit.events.bus import NoSubscriber, Rejected, Subscription

logger = logging.getLogger("solo60.services.events")

RETRY_PAUSE_SECONDS = 0.1
PUBLISH_TIMEOUT_SECONDS = 10.0


class RabbitBus:
    def __init__(self, url: str, *, exchange: str) -> None:
        self.url = url
        self.exchange_name = exchange
        self.dead_exchange_name = f"{exchange}.dead"
        self._connection: aio_pika.abc.AbstractRobustConnection | None = None
        self._publishing: aio_pika.abc.AbstractChannel | None = None
        self._exchange: aio_pika.abc.AbstractExchange | None = None

    @property
    def name(self) -> str:
        """The connection's name as the broker lists it (`rabbitmqctl list_connections client_properties`)."""
        return f"solo60:{self.exchange_name}"

    async def connect(self) -> None:
        if self._connection is None:
            self._connection = await aio_pika.connect_robust(self.url, client_properties={"connection_name": self.name})

    async def publish(self, envelope: Envelope) -> None:
        exchange = await self._publishing_exchange()
        message = aio_pika.Message(
            body=json.dumps(envelope.payload).encode(),
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=envelope.message_id,
            correlation_id=envelope.correlation_id,
            type=envelope.name,
            app_id=envelope.producer,
            timestamp=envelope.occurred_at,
            headers=envelope.headers(),
        )
        try:
            await exchange.publish(message, routing_key=envelope.name, mandatory=True, timeout=PUBLISH_TIMEOUT_SECONDS)
        except aio_pika.exceptions.PublishError:
            raise NoSubscriber(f"no queue of {self.exchange_name!r} takes {envelope.name!r} yet") from None

    async def subscribe(self, subscription: Subscription) -> None:
        await self.connect()
        assert self._connection is not None
        channel = await self._connection.channel()
        await channel.set_qos(prefetch_count=subscription.prefetch)
        name = self.queue_name(subscription)
        exchange = await self._declare_exchanges(channel)
        dead_exchange = await channel.get_exchange(self.dead_exchange_name)
        dead_letters = await channel.declare_queue(f"{name}.dead", durable=True)
        await dead_letters.bind(dead_exchange, routing_key=name)
        queue = await channel.declare_queue(
            name,
            durable=True,
            arguments={
                "x-queue-type": "quorum",
                "x-delivery-limit": subscription.max_deliveries - 1,
                "x-dead-letter-exchange": self.dead_exchange_name,
                "x-dead-letter-routing-key": name,
            },
        )
        for name in subscription.events:
            await queue.bind(exchange, routing_key=name)
        await queue.consume(_Consumer(subscription))

    def queue_name(self, subscription: Subscription) -> str:
        """`<exchange>.<consumer>`: consumers of different exchanges (tests, environments) never share a queue."""
        return f"{self.exchange_name}.{subscription.queue}"

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        self._publishing = self._exchange = None
        if connection is not None:
            await connection.close()

    async def _publishing_exchange(self) -> aio_pika.abc.AbstractExchange:
        await self.connect()
        assert self._connection is not None
        if self._publishing is None or self._publishing.is_closed or self._exchange is None:
            self._publishing = await self._connection.channel(publisher_confirms=True, on_return_raises=True)
            self._exchange = await self._declare_exchanges(self._publishing)
        return self._exchange

    async def _declare_exchanges(self, channel: aio_pika.abc.AbstractChannel) -> aio_pika.abc.AbstractExchange:
        await channel.declare_exchange(self.dead_exchange_name, aio_pika.ExchangeType.DIRECT, durable=True)
        return await channel.declare_exchange(self.exchange_name, aio_pika.ExchangeType.TOPIC, durable=True)


class _Consumer:
    """Acknowledge after the handler returned; requeue when it raised; dead-letter what cannot be read."""

    def __init__(self, subscription: Subscription) -> None:
        self.subscription = subscription

    async def __call__(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        try:
            envelope = envelope_of(message)
        except (ValueError, KeyError, TypeError) as error:
            logger.warning("dead-lettered an unreadable message %s: %s", message.message_id, error)
            await message.reject(requeue=False)
            return
        try:
            await self.subscription.handler(envelope)
        except Rejected as refusal:
            logger.warning("dead-lettered %s %s: %s", envelope.name, envelope.message_id, refusal)
            await message.reject(requeue=False)
        except Exception:
            logger.warning("returning %s %s for redelivery", envelope.name, envelope.message_id, exc_info=True)
            await asyncio.sleep(RETRY_PAUSE_SECONDS)
            await message.nack(requeue=True)
        else:
            await message.ack()


def envelope_of(message: aio_pika.abc.AbstractIncomingMessage) -> Envelope:
    """The envelope from a message's properties and headers; raises when it is not one of our events."""
    headers: dict[str, Any] = dict(message.headers or {})

    def header(name: str) -> str | None:
        value = headers.get(name)
        return value.decode() if isinstance(value, bytes) else (str(value) if value is not None else None)

    payload = json.loads(message.body)
    if not isinstance(payload, dict):
        raise ValueError("the body is not a JSON object")
    return Envelope(
        message_id=message.message_id or "",
        name=message.type or header("eventName") or "",
        version=int(header("eventVersion") or 0),
        producer=message.app_id or header("producer") or "",
        occurred_at=header("occurredAt") or "",
        correlation_id=message.correlation_id,
        traceparent=header("traceparent"),
        payload=payload,
    )
