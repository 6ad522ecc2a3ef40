"""The outbox relay's handlers: mails to the communication service, credit allocations to the payment service."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol

from solo60.clients import CommunicationClient, PaymentClient
from solo60.contracts.communication import SendEmail
from solo60.contracts.payment import AllocateCredits
from solo60.services.kit import Database, call_or_refuse, enqueue
from solo60.services.kit.outbox import Deliver
from solo60.services.kit.upstreams import for_delivery
from solo60.services.subscription import storage
from solo60.services.subscription.credits import ALLOCATE_CREDITS
from solo60.services.subscription.mails import SEND_EMAIL


class Deliveries(Protocol):
    """What the handlers need from the Runtime (clients may be missing until configured)."""

    db: Database
    payments: PaymentClient | None
    communication: CommunicationClient | None


def delivery_handlers(runtime: Deliveries, wake: Callable[[], None]) -> dict[str, Deliver]:
    async def send_email(payload: dict[str, Any], key: str) -> None:
        client = for_delivery(runtime.communication, "communication")
        mail = SendEmail.model_validate_json(json.dumps(payload["mail"]))
        await call_or_refuse(client.send_email_async(mail, idempotency_key=key))

    async def allocate_credits(payload: dict[str, Any], key: str) -> None:
        client = for_delivery(runtime.payments, "payment")
        allocation = AllocateCredits.model_validate_json(json.dumps(payload["allocation"]))
        await call_or_refuse(client.allocate_credits(allocation, idempotency_key=key))
        notice = payload.get("notice")
        if notice:
            async with runtime.db.write() as session:  # a redelivery finds the notice queued and adds nothing
                await enqueue(
                    session, storage.outbox, SEND_EMAIL, {"mail": notice["mail"]}, message_id=notice["messageId"]
                )
            wake()

    return {SEND_EMAIL: send_email, ALLOCATE_CREDITS: allocate_credits}
