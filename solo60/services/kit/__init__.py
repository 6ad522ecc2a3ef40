"""What every service is built from: the conventions of the internal API, written once.

Auth, correlation, errors, rate limits, idempotency, persistence, provider states and docs
live here; a service package adds only its contract implementation, storage and states.
"""

from solo60.services.kit.binding import CallInfo, Reply
from solo60.services.kit.database import Database
from solo60.services.kit.errors import (
    Conflict,
    DependencyUnavailable,
    Forbidden,
    IdempotencyKeyReused,
    InsufficientCredits,
    NotFound,
    ServiceError,
    ValidationFailed,
)
from solo60.services.kit.idempotency import idempotency_table, once_per_key
from solo60.services.kit.outbox import OutboxRelay, PermanentFailure, call_or_refuse, enqueue, outbox_table
from solo60.services.kit.provider_states import ProviderStates, StateParams
from solo60.services.kit.service import Runtime, ServiceDefinition, ServiceRoutes, implements
from solo60.services.kit.settings import ServiceSettings
from solo60.services.kit.storage import UtcDateTime, insert_or_ignore, new_metadata, upsert, utc_now

__all__ = [
    "CallInfo",
    "Conflict",
    "Database",
    "DependencyUnavailable",
    "Forbidden",
    "IdempotencyKeyReused",
    "InsufficientCredits",
    "NotFound",
    "OutboxRelay",
    "PermanentFailure",
    "ProviderStates",
    "Reply",
    "Runtime",
    "ServiceDefinition",
    "ServiceError",
    "ServiceRoutes",
    "ServiceSettings",
    "StateParams",
    "UtcDateTime",
    "ValidationFailed",
    "call_or_refuse",
    "enqueue",
    "idempotency_table",
    "implements",
    "insert_or_ignore",
    "new_metadata",
    "once_per_key",
    "outbox_table",
    "upsert",
    "utc_now",
]
