"""The subscription service's implementation of its contract."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from solo60.contracts.subscription import (
    PaymentFailed,
    StartSubscription,
    Subscription,
    SubscriptionServiceContract,
    TrialEnding,
    UserSubscription,
    WebhookReceipt,
)
from solo60.services.kit import (
    Conflict,
    IdempotencyKeyReused,
    NotFound,
    Reply,
    ServiceRoutes,
    implements,
    once_per_key,
)
from solo60.services.subscription import cancellation, start, storage, webhooks

api = SubscriptionServiceContract


class SubscriptionRoutes(ServiceRoutes):
    contract = SubscriptionServiceContract

    @implements(api.get_by_user)
    async def get_by_user(self, user_id: str) -> UserSubscription:
        async with self.runtime.db.read() as session:
            row = await storage.latest_for_user(session, user_id)
            subscription = None if row is None else Subscription.model_validate(row, from_attributes=True)
        return UserSubscription(subscription=subscription)

    @implements(api.start)
    async def start_subscription(self, body: StartSubscription, idempotency_key: str) -> Reply:
        return await start.start_subscription(self.runtime, body, idempotency_key)

    @implements(api.cancel)
    async def cancel_subscription(self, subscription_id: str) -> Subscription:
        return await cancellation.cancel_at_period_end(self.runtime.db, subscription_id)

    @implements(api.payment_failed)
    async def payment_failed(self, body: PaymentFailed) -> Reply:
        return await self._once_per_event(body, lambda session: webhooks.payment_failed(session, body))

    @implements(api.trial_ending)
    async def trial_ending(self, body: TrialEnding) -> Reply:
        return await self._once_per_event(body, lambda session: webhooks.trial_ending(session, body))

    async def _once_per_event(
        self, event: PaymentFailed | TrialEnding, apply: Callable[[AsyncSession], Awaitable[WebhookReceipt]]
    ) -> Reply:
        """The event id is the idempotency key: a redelivery gets the first answer and changes nothing."""
        try:
            reply = await once_per_key(
                self.runtime.db,
                storage.idempotency_records,
                operation=storage.EVENT_OPERATION,
                key=event.event_id,
                request=event,
                status=200,
                work=apply,
            )
        except webhooks.UnknownSubscription as error:
            raise NotFound(str(error)) from None
        except IdempotencyKeyReused:
            raise Conflict(f"Event {event.event_id!r} was already received with different content.") from None
        self.runtime.wake()  # deliver the mail the event may have queued
        return reply
