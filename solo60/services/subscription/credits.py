"""A period's credits: allocated by the payment service through the outbox, then announced.

The allocation is queued with the change that opens the period (a start, a renewal), under a
message id derived from the subscription and the period start, so the payment service's
key for it is too: however often it is delivered, the period is credited once. The
`subscription.credits_allocated` event is recorded by the delivery itself, once the credits are in.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from solo60.contracts.payment import AllocateCredits
from solo60.services.kit import enqueue
from solo60.services.subscription import plan_events, storage
from solo60.services.subscription.storage import SubscriptionRow

ALLOCATE_CREDITS = "allocate-credits"


async def allocate(session: AsyncSession, subscription: SubscriptionRow, *, announce: bool) -> None:
    """Queue the current period's credits; `announce` publishes `subscription.credits_allocated` once they are in."""
    if subscription.credits_per_month < 1:
        return
    period = plan_events.stamp(subscription.current_period_start)
    allocation = AllocateCredits(
        user_id=subscription.user_id,
        subscription_id=subscription.id,
        period_start=subscription.current_period_start,
        amount=subscription.credits_per_month,
    )
    payload = {
        "allocation": allocation.model_dump(mode="json"),
        "notice": (
            {
                "messageId": plan_events.message_id("subscription", subscription.id, "credited", period),
                "event": plan_events.credits_allocated_event(subscription).model_dump(mode="json"),
            }
            if announce
            else None
        ),
    }
    identifier = plan_events.message_id("subscription", subscription.id, "credits", period)
    await enqueue(session, storage.outbox, ALLOCATE_CREDITS, payload, message_id=identifier)
