"""The payment gateway's events: each is applied once, kept, and answered the same on redelivery.

A failed payment mails PAYMENT_FAILED to the member (once per event: the mail is queued with
the event, which a redelivery does not apply again). A trial-ending notice mails TRIAL_ENDING
unless the due-jobs runner already did for that trial end: both claim the same notice row.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from solo60.contracts.subscription import PaymentFailed, Subscription, TrialEnding, WebhookOutcome, WebhookReceipt
from solo60.services.kit import utc_now
from solo60.services.subscription import lifecycle, plan_events, storage

TRIAL_ENDING_NOTICE = "TRIAL_ENDING"
MAILED_OUTCOMES = frozenset({WebhookOutcome.MARKED_PAST_DUE, WebhookOutcome.ALREADY_PAST_DUE})


class UnknownSubscription(Exception):
    def __init__(self, subscription_id: str) -> None:
        super().__init__(f"Subscription {subscription_id!r} does not exist.")


async def payment_failed(session: AsyncSession, event: PaymentFailed) -> WebhookReceipt:
    subscription = await _subscription(session, event.subscription_id)
    outcome = lifecycle.after_payment_failure(subscription, event.occurred_at)
    if outcome in MAILED_OUTCOMES:
        await plan_events.payment_failed(
            session, subscription, f"event-{event.event_id}", retry_at=event.next_attempt_at
        )
    return await _keep(session, event, "payment-failed", outcome, subscription)


async def trial_ending(session: AsyncSession, event: TrialEnding) -> WebhookReceipt:
    subscription = await _subscription(session, event.subscription_id)
    outcome = lifecycle.after_trial_ending_notice(subscription, event.trial_ends_at)
    if outcome is WebhookOutcome.TRIAL_ENDING_RECORDED:
        if subscription.cancel_at_period_end:  # the trial just ends: "add a card to keep booking" would mislead
            await storage.record_notice(session, subscription.id, TRIAL_ENDING_NOTICE, event.trial_ends_at)
        elif await storage.claim_notice(session, subscription.id, TRIAL_ENDING_NOTICE, event.trial_ends_at):
            await plan_events.trial_ending(session, subscription, event.trial_ends_at)
    return await _keep(session, event, "trial-ending", outcome, subscription)


async def _subscription(session: AsyncSession, subscription_id: str) -> storage.SubscriptionRow:
    subscription = await storage.find_subscription_for_update(session, subscription_id)
    if subscription is None:
        raise UnknownSubscription(subscription_id)
    return subscription


async def _keep(
    session: AsyncSession,
    event: PaymentFailed | TrialEnding,
    kind: str,
    outcome: WebhookOutcome,
    subscription: storage.SubscriptionRow,
) -> WebhookReceipt:
    if session.is_modified(subscription):
        subscription.updated_at = utc_now()
    await storage.add_event(
        session,
        event_id=event.event_id,
        type=kind,
        subscription_id=subscription.id,
        payload=event.model_dump(mode="json"),
        outcome=outcome.value,
        occurred_at=event.occurred_at,
    )
    return WebhookReceipt(
        event_id=event.event_id,
        outcome=outcome,
        subscription=Subscription.model_validate(subscription, from_attributes=True),
    )
