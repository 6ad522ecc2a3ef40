"""Domain events, declared once: each a name, a version, its producer and a pydantic payload.

Session and subscription publish these through their transactional outbox; the communication
service consumes them and sends the mails they call for. An event travels as an `Envelope`
(message id, correlation id, trace context, when it happened) around its payload; on AMQP the
payload is the message body and the envelope the message's properties and headers
(`envelope.py`). The AsyncAPI documents are generated from these declarations (`asyncapi.py`).

    envelope.py      `Envelope`, `EventContract`, `declare`
    catalogue.py     every event by name (`event_named`) and by producer (`events_of`)
    session.py       the session service's events
    subscription.py  the subscription service's events
    asyncapi.py      an AsyncAPI 3 document per producing service
"""

from __future__ import annotations

from solo60.contracts.events.catalogue import PRODUCERS, event_named, events_of
from solo60.contracts.events.envelope import EVENTS, Envelope, EventContract, UnknownEvent

__all__ = ["EVENTS", "PRODUCERS", "Envelope", "EventContract", "UnknownEvent", "event_named", "events_of"]
