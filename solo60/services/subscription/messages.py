"""The subscription service's events, built for message-pact verification by the code that records them.

Each builder takes the subscription a provider state stored (`states.py`, `subscriptionId`
defaults to `sub-1`), runs the same function the service runs when that event happens
(`plan_events.py`), and reads back the envelope it recorded in the outbox; the transaction
is then rolled back, so verifying publishes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from solo60.contracts.events import Envelope
from solo60.contracts.events.subscription import (
    CREDITS_ALLOCATED,
    PAYMENT_FAILED,
    RENEWAL_DUE,
    SUBSCRIPTION_ACTIVATED,
    SUBSCRIPTION_CANCELLED,
    TRIAL_ENDING,
)
from solo60.services.kit import utc_now
from solo60.services.kit.errors import ValidationFailed
from solo60.services.kit.events import PUBLISH_EVENT
from solo60.services.kit.events.provider_messages import ProviderMessages
from solo60.services.subscription import plan_events, storage
from solo60.services.subscription.storage import SubscriptionRow

messages = ProviderMessages("subscription")

Record = Callable[[AsyncSession, SubscriptionRow], Awaitable[None]]


class _Recorded(Exception):
    """Carries the envelope out of the transaction it rolls back."""

    def __init__(self, envelope: Envelope) -> None:
        self.envelope = envelope


async def recorded(runtime: Any, params: dict[str, Any], record: Record) -> Envelope:
    """The envelope `record` puts in the outbox for the state's subscription; nothing stays recorded."""
    subscription_id = str(params.get("subscriptionId", "sub-1"))
    try:
        async with runtime.db.write() as session:
            subscription = await storage.find_subscription(session, subscription_id)
            if subscription is None:
                raise ValidationFailed(f"No subscription {subscription_id!r}: set one up with a provider state first.")
            before = set((await session.execute(sa.select(storage.outbox.c.id))).scalars())
            await record(session, subscription)
            rows = await session.execute(
                sa.select(storage.outbox.c.id, storage.outbox.c.payload).where(
                    storage.outbox.c.operation == PUBLISH_EVENT
                )
            )
            (payload,) = [row.payload for row in rows if row.id not in before]
            raise _Recorded(Envelope.model_validate(payload))
    except _Recorded as done:
        return done.envelope


@messages.event(SUBSCRIPTION_ACTIVATED)
async def activated(runtime: Any, params: dict[str, Any]) -> Envelope:
    return await recorded(runtime, params, plan_events.activated)


@messages.event(SUBSCRIPTION_CANCELLED)
async def cancelled(runtime: Any, params: dict[str, Any]) -> Envelope:
    async def ended(session: AsyncSession, subscription: SubscriptionRow) -> None:
        await plan_events.ended(session, subscription, subscription.current_period_end)

    return await recorded(runtime, params, ended)


@messages.event(CREDITS_ALLOCATED)
async def credits_allocated(runtime: Any, params: dict[str, Any]) -> Envelope:
    async def allocated(session: AsyncSession, subscription: SubscriptionRow) -> None:
        event = plan_events.credits_allocated_event(subscription)
        await plan_events.credits_allocated(session, "pact-credits-allocated", event)

    return await recorded(runtime, params, allocated)


@messages.event(PAYMENT_FAILED)
async def payment_failed(runtime: Any, params: dict[str, Any]) -> Envelope:
    async def declined(session: AsyncSession, subscription: SubscriptionRow) -> None:
        await plan_events.payment_failed(session, subscription, "pact", retry_at=utc_now() + timedelta(days=3))

    return await recorded(runtime, params, declined)


@messages.event(RENEWAL_DUE)
async def renewal_due(runtime: Any, params: dict[str, Any]) -> Envelope:
    return await recorded(runtime, params, plan_events.renewal_reminder)


@messages.event(TRIAL_ENDING)
async def trial_ending(runtime: Any, params: dict[str, Any]) -> Envelope:
    async def ending(session: AsyncSession, subscription: SubscriptionRow) -> None:
        ends_at = subscription.trial_ends_at or subscription.current_period_end
        await plan_events.trial_ending(session, subscription, ends_at)

    return await recorded(runtime, params, ending)
