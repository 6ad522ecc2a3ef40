"""Passing the gateway's events on to the services they concern, through the payment service's outbox.

| variable | default | meaning |
| --- | --- | --- |
| `SUBSCRIPTION_SERVICE_URL` | none | where failed renewals go; without it, such events are refused with 503 |
| `PAYMENT_OUTBOX_IDLE_SECONDS` | `1.0` | how often the relay looks for due events unless woken |
| `PAYMENT_OUTBOX_RETRY_BASE_SECONDS` | `1.0` | wait before the first redelivery; doubles per attempt |
| `PAYMENT_OUTBOX_RETRY_MAX_SECONDS` | `300` | the longest wait between two deliveries |
| `PAYMENT_OUTBOX_MAX_ATTEMPTS` | `8` | deliveries before an event's forwarding is FAILED |

Each `PAYMENT_OUTBOX_*` variable falls back to `OUTBOX_*`, shared by every service's outbox.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from solo60.clients import ClientConfig, ConfigurationError, SubscriptionClient
from solo60.contracts.subscription import PaymentFailed
from solo60.services.kit import DependencyUnavailable, OutboxRelay, ServiceSettings, call_or_refuse
from solo60.services.kit.database import Database
from solo60.services.payment import storage

logger = logging.getLogger("solo60.services.payment")

FORWARD_PAYMENT_FAILED = "forward_payment_failed"

_NAMESPACE = uuid.UUID("0c8f7a52-3e4b-4d6a-9f2e-7b1c5d9e8a34")


def forwarding_id(event_id: str) -> str:
    """The outbox message that forwards the event: one per event id, within the outbox's 64 characters."""
    return f"gateway-event-{uuid.uuid5(_NAMESPACE, event_id)}"


@dataclass
class Forwarding:
    """The subscription service's client (when configured) and the relay that forwards events to it."""

    subscriptions: SubscriptionClient | None
    missing: str | None
    relay: OutboxRelay

    @classmethod
    def start(cls, settings: ServiceSettings, db: Database) -> Forwarding:
        subscriptions, missing = None, None
        try:
            subscriptions = SubscriptionClient(
                ClientConfig.from_env("subscription", caller="payment", environ=settings.extra)
            )
        except ConfigurationError as error:
            missing = str(error)
            logger.warning("the payment gateway's renewal failures are refused with 503: %s", error)

        async def forward_payment_failed(payload: dict[str, Any], key: str) -> None:
            # The webhook is idempotent by the event id the payload carries, so `key` is not needed.
            if subscriptions is None:
                raise DependencyUnavailable(str(missing))
            event = PaymentFailed.model_validate_json(json.dumps(payload))
            await call_or_refuse(subscriptions.payment_failed(event))

        handlers = {FORWARD_PAYMENT_FAILED: forward_payment_failed}
        relay = OutboxRelay.from_settings(settings, db, storage.outbox, handlers)
        relay.start()
        return cls(subscriptions, missing, relay)

    def require_subscriptions(self) -> None:
        """Refuse an event up front (503) when the service it must reach is not configured."""
        if self.subscriptions is None:
            raise DependencyUnavailable(f"{self.missing} The gateway may deliver the event again later.")

    async def stop(self) -> None:
        await self.relay.stop()
        if self.subscriptions is not None:
            await self.subscriptions.aclose()
