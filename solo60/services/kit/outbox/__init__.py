"""The transactional outbox: calls that must not fail the main action and must not vanish.

A booking's notification mail, a subscription's credit allocation, a forwarded gateway event,
a queued mail in the communication service: the request enqueues the message in the same
transaction as its own change, so both exist or neither does, and answers at once. A relay
(a background task of the service's Runtime, or its own process) delivers what is due to the
target of each message's operation, with exponential backoff and jitter, and marks a message
FAILED, with its error kept, on a permanent refusal or after the last attempt; delivered rows
are deleted after their retention by `solo60 jobs run-due` (`kit/retention.py`).

    table.py     the table, `enqueue`, `forget`, `record_delivered`
    targets.py   where messages go: `Deliver` functions, `DeliveryTarget`s, and how they fail
    store.py     due, claim under a lease, outcomes: the relays' SQL
    relay.py     `OutboxRelay`: passes, the loop, stopping
    policy.py    `RetryPolicy`, `RelaySettings` from `<SERVICE>_OUTBOX_*` / `OUTBOX_*`
"""

from solo60.services.kit.outbox.policy import RelaySettings, RetryPolicy
from solo60.services.kit.outbox.relay import OutboxRelay, RelayReport, relay_name
from solo60.services.kit.outbox.store import OutboxStore
from solo60.services.kit.outbox.table import (
    DELIVERED,
    FAILED,
    PENDING,
    enqueue,
    forget,
    idempotency_key_for,
    outbox_table,
    record_delivered,
)
from solo60.services.kit.outbox.targets import (
    Deliver,
    DeliveryTarget,
    OutboxMessage,
    PermanentFailure,
    Send,
    TargetUnavailable,
    call_or_refuse,
    is_permanent,
)

__all__ = [
    "DELIVERED",
    "FAILED",
    "PENDING",
    "Deliver",
    "DeliveryTarget",
    "OutboxMessage",
    "OutboxRelay",
    "OutboxStore",
    "PermanentFailure",
    "RelayReport",
    "RelaySettings",
    "RetryPolicy",
    "Send",
    "TargetUnavailable",
    "call_or_refuse",
    "enqueue",
    "forget",
    "idempotency_key_for",
    "is_permanent",
    "outbox_table",
    "record_delivered",
    "relay_name",
]
