"""The subscription service's client, written by `solo60 codegen` from `solo60/contracts/subscription.py`."""

from __future__ import annotations

from solo60.clients._base import ServiceClient
from solo60.contracts.subscription import (
    PaymentFailed,
    StartSubscription,
    Subscription,
    SubscriptionServiceContract,
    TrialEnding,
    UserSubscription,
    WebhookReceipt,
)


class SubscriptionClient(ServiceClient):
    """Calls the Solo60 subscription service. Members' subscriptions and the payment gateway's events about them."""

    service = "subscription"

    async def get_by_user(self, user_id: str) -> UserSubscription:
        """Get a user's subscription.

        Answers `{"subscription": null}` for a user who never subscribed (not a 404).
        """
        return await self._call(SubscriptionServiceContract.get_by_user, path={"user_id": user_id})

    async def payment_failed(self, body: PaymentFailed) -> WebhookReceipt:
        """Receive the gateway's failed-renewal event.

        An ACTIVE or TRIALING subscription becomes PAST_DUE; one already PAST_DUE stays so. A CANCELLED or EXPIRED
        subscription is left as it is (outcome `IGNORED_SUBSCRIPTION_ENDED`): a late event about an ended
        subscription is acknowledged, not refused, so the gateway stops redelivering it. Every event is kept. A
        redelivery with the same `eventId` changes nothing and gets the first answer; the same `eventId` with other
        content is refused with 409.
        """
        return await self._call(SubscriptionServiceContract.payment_failed, body=body)

    async def trial_ending(self, body: TrialEnding) -> WebhookReceipt:
        """Receive the gateway's trial-ending notice.

        For a TRIALING subscription the notice is recorded (the trial-ending mail is due), and the gateway's
        `trialEndsAt` becomes the subscription's, since the gateway decides when the first charge happens. Any other
        subscription is left as it is (outcome `IGNORED_NOT_TRIALING`). Redeliveries behave as for payment-failed.
        """
        return await self._call(SubscriptionServiceContract.trial_ending, body=body)

    async def start(self, body: StartSubscription, *, idempotency_key: str | None = None) -> Subscription:
        """Start a subscription (paid or trial).

        A paid start charges the plan's first month to `cardToken` through the payment service, then the subscription
        is ACTIVE for a calendar month. A trial needs no charge and is TRIALING for 14 days; it is open to a member
        who never subscribed. Either way the plan's monthly credits are allocated and SUBSCRIPTION_ACTIVATED is
        mailed (and PAYMENT_SUCCESS once a paid month's credits are in), through the outbox.

        A declined card is 409 with `details` on `body.cardToken` (its `type` is the gateway's code, e.g.
        `card_declined`) and nothing is stored; the same key may be retried with another card. A member with a live
        (TRIALING, ACTIVE or PAST_DUE) subscription gets 409 without `details`. When the payment service is
        unreachable the answer is 503 and nothing is stored: retry with the same `Idempotency-Key`, which keeps the
        charge's own key, so the card is never charged twice.

        | plan | name | credits per month | price per month |
        | --- | --- | --- | --- |
        | `monthly-4` | Solo60 Monthly 4 | 4 | 29.00 EUR |
        | `monthly-8` | Solo60 Monthly 8 | 8 | 49.00 EUR |
        | `monthly-16` | Solo60 Monthly 16 | 16 | 89.00 EUR |
        """
        return await self._call(SubscriptionServiceContract.start, body=body, idempotency_key=idempotency_key)

    async def cancel(self, subscription_id: str) -> Subscription:
        """Cancel a subscription at the end of its period.

        The subscription stays as it is (with `cancelAtPeriodEnd: true`) until `currentPeriodEnd`: the member keeps
        the month they paid for and its credits. Then the due-jobs runner ends it (CANCELLED) instead of renewing it,
        and mails SUBSCRIPTION_EXPIRED. Cancelling again changes nothing and answers the same; an ended (CANCELLED or
        EXPIRED) subscription is 409.
        """
        return await self._call(SubscriptionServiceContract.cancel, path={"subscription_id": subscription_id})
