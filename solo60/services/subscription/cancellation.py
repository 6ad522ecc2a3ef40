"""Cancelling: at the end of the period the member paid for, never before.

Credits are allocated at the start of each period, so ending at once would only take away
days already paid for; the member keeps them and their credits. The due-jobs runner ends the
subscription when its period ends (CANCELLED, and the SUBSCRIPTION_EXPIRED mail) instead of
renewing it. Asking twice changes nothing.
"""

from __future__ import annotations

from solo60.contracts.subscription import Subscription, SubscriptionStatus
from solo60.services.kit import Conflict, Database, NotFound, utc_now
from solo60.services.subscription import storage
from solo60.services.subscription.lifecycle import ENDED


async def cancel_at_period_end(db: Database, subscription_id: str) -> Subscription:
    async with db.write() as session:
        subscription = await storage.find_subscription_for_update(session, subscription_id)
        if subscription is None:
            raise NotFound(f"Subscription {subscription_id!r} does not exist.")
        if SubscriptionStatus(subscription.status) in ENDED:
            raise Conflict(f"Subscription {subscription_id!r} has already ended ({subscription.status}).")
        if not subscription.cancel_at_period_end:
            subscription.cancel_at_period_end = True
            subscription.updated_at = utc_now()
        return Subscription.model_validate(subscription, from_attributes=True)
