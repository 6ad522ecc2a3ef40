"""Domain events between services: published through the outbox, consumed at least once, deduplicated.

bus.py        `EventBus` (publish, subscribe), `bus_from_settings`: RabbitMQ when
              `SOLO60_AMQP_URL` is set, else the in-process bus
memory.py     `InProcessBus`: the embedded default, nothing to install
rabbitmq.py   `RabbitBus`: durable quorum queues, publisher confirms, manual acks, dead letters
publishing.py `publish_later` (into the outbox, in the change's transaction) and the relay's target
receiving.py  `once_per_event`: a consumer's work done once per message id, in its own transaction
"""

from solo60.services.kit.events.bus import EventBus, EventHandler, NoSubscriber, Rejected, Subscription
from solo60.services.kit.events.publishing import PUBLISH_EVENT, EventTarget, publish_later, trace_context
from solo60.services.kit.events.receiving import events_seen_table, once_per_event
from solo60.services.kit.events.transports import bus_from_settings

__all__ = [
    "PUBLISH_EVENT",
    "EventBus",
    "EventHandler",
    "EventTarget",
    "NoSubscriber",
    "Rejected",
    "Subscription",
    "bus_from_settings",
    "events_seen_table",
    "once_per_event",
    "publish_later",
    "trace_context",
]
