"""The six webhook events and the facts each occurrence carries for templates."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class EventName(StrEnum):
    CONTRACT_PUBLISHED = "contract_published"
    CONTRACT_CONTENT_CHANGED = "contract_content_changed"
    CONTRACT_REQUIRING_VERIFICATION_PUBLISHED = "contract_requiring_verification_published"
    PROVIDER_VERIFICATION_PUBLISHED = "provider_verification_published"
    PROVIDER_VERIFICATION_SUCCEEDED = "provider_verification_succeeded"
    PROVIDER_VERIFICATION_FAILED = "provider_verification_failed"


EVENT_NAMES = tuple(event.value for event in EventName)
DEFAULT_EVENTS = (EventName.CONTRACT_CONTENT_CHANGED.value,)


@dataclass(frozen=True)
class Event:
    """Something happened between a consumer and a provider; `context` fills `${pactbroker.*}`."""

    name: EventName
    consumer_id: int
    provider_id: int
    context: dict[str, str] = field(default_factory=dict)
