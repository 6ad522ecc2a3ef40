"""The outbox relay's targets: events to the message bus, credit allocations to the payment service."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol

from solo60.clients import PaymentClient
from solo60.contracts.events.subscription import CreditsAllocated
from solo60.contracts.payment import AllocateCredits
from solo60.services.kit import Database, call_or_refuse
from solo60.services.kit.events import PUBLISH_EVENT, EventBus, EventTarget
from solo60.services.kit.outbox import Deliver, DeliveryTarget
from solo60.services.kit.upstreams import for_delivery
from solo60.services.subscription import plan_events
from solo60.services.subscription.credits import ALLOCATE_CREDITS


class Deliveries(Protocol):
    """What the handlers need from the Runtime (the payment client may be missing until configured)."""

    db: Database
    payments: PaymentClient | None
    bus: EventBus


def delivery_handlers(runtime: Deliveries, wake: Callable[[], None]) -> dict[str, Deliver | DeliveryTarget]:
    async def allocate_credits(payload: dict[str, Any], key: str) -> None:
        client = for_delivery(runtime.payments, "payment")
        allocation = AllocateCredits.model_validate_json(json.dumps(payload["allocation"]))
        await call_or_refuse(client.allocate_credits(allocation, idempotency_key=key))
        notice = payload.get("notice")
        if notice:
            event = CreditsAllocated.model_validate(notice["event"])
            async with runtime.db.write() as session:  # a redelivery finds the event recorded and adds nothing
                await plan_events.credits_allocated(session, notice["messageId"], event)
            wake()

    return {PUBLISH_EVENT: EventTarget(runtime.bus), ALLOCATE_CREDITS: allocate_credits}
