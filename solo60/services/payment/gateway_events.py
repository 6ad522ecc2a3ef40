"""The payment gateway's events: kept once per event id, answered at once, forwarded through the outbox.

The event and its forwarding are recorded in one transaction, so an event the gateway was told
we have is never lost, however long the subscription service is away.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from solo60.contracts.payment import ForwardingStatus, GatewayEvent, GatewayEventReceipt, GatewayEventType
from solo60.contracts.subscription import PaymentFailed
from solo60.services.kit import Conflict, Database, NotFound, enqueue
from solo60.services.kit.idempotency import fingerprint
from solo60.services.kit.outbox import DELIVERED, FAILED
from solo60.services.payment import storage
from solo60.services.payment.forwarding import FORWARD_PAYMENT_FAILED, forwarding_id


async def receive(db: Database, event: GatewayEvent) -> GatewayEventReceipt:
    """Keep the event and record its forwarding; a redelivery gets the receipt of the first delivery."""
    said = fingerprint(event.model_dump(mode="json"))
    async with db.write() as session:
        row = await storage.keep_gateway_event(
            session,
            event_id=event.event_id,
            type=event.type.value,
            subscription_id=event.subscription_id,
            payload=event.model_dump(mode="json"),
            fingerprint=said,
        )
        if row.fingerprint != said:
            raise Conflict(
                f"Gateway event {event.event_id!r} was already received with other content; an event id names one "
                "event."
            )
        if event.type is GatewayEventType.RENEWAL_FAILED:
            forwarded = PaymentFailed.model_validate(event.model_dump(exclude={"type"}))
            await enqueue(
                session,
                storage.outbox,
                FORWARD_PAYMENT_FAILED,
                forwarded.model_dump(mode="json"),
                message_id=forwarding_id(event.event_id),
            )
        return await _receipt(session, row)


async def receipt(db: Database, event_id: str) -> GatewayEventReceipt:
    async with db.read() as session:
        row = await storage.find_gateway_event(session, event_id)
        if row is None:
            raise NotFound(f"Gateway event {event_id!r} was never received.")
        return await _receipt(session, row)


async def _receipt(session: AsyncSession, row: storage.GatewayEventRow) -> GatewayEventReceipt:
    message = await storage.outbox_message(session, forwarding_id(row.event_id))
    status = {DELIVERED: ForwardingStatus.FORWARDED, FAILED: ForwardingStatus.FAILED}.get(
        message.status if message is not None else "", ForwardingStatus.PENDING
    )
    return GatewayEventReceipt(
        event_id=row.event_id,
        type=GatewayEventType(row.type),
        subscription_id=row.subscription_id,
        received_at=row.received_at,
        forwarding=status,
        forward_attempts=message.attempts if message is not None else 0,
        last_error=message.last_error if message is not None else None,
        forwarded_at=message.delivered_at if message is not None else None,
    )
