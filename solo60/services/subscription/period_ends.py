"""What happens when a subscription's period (or trial) ends; the due-jobs runner does it.

- cancelling (`cancelAtPeriodEnd`): **end**, CANCELLED, SUBSCRIPTION_EXPIRED mailed;
- ACTIVE with a card on file: **renewal**, the card is charged for the next month. Paid: the
  period moves on and its credits are allocated (PAYMENT_SUCCESS once they are in).
  Declined: PAST_DUE, PAYMENT_FAILED mailed with the retry date;
- TRIALING with a card on file: **trial conversion**, as a renewal, the first paid month
  starting when the trial ends;
- ACTIVE or TRIALING without a card: **expiry**, EXPIRED, SUBSCRIPTION_EXPIRED mailed;
- PAST_DUE, 3 days after it became so (and not before its period ends): **payment retry**,
  the card is charged once more. Paid: ACTIVE again, as after a renewal. Declined (or no
  card): EXPIRED, SUBSCRIPTION_EXPIRED mailed.

A step moves a subscription one period at a time; a runner that was down for longer catches
up over its next runs. Charges are made outside any transaction with a key derived from the
subscription and the period (`billing.period_key`), then the change is applied only if the
subscription is still as it was seen: a second runner that charged too got the same charge
back from the payment service and changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from solo60.clients import PaymentClient
from solo60.contracts.subscription import SubscriptionStatus
from solo60.services.kit import Database, utc_now
from solo60.services.subscription import billing, credits, lifecycle, plan_events, storage
from solo60.services.subscription.due_results import JobResult
from solo60.services.subscription.periods import month_after
from solo60.services.subscription.storage import SubscriptionRow

Status = SubscriptionStatus
RETRY_AFTER = timedelta(days=3)


class Step(StrEnum):
    END = "end of cancelled subscription"
    EXPIRY = "expiry"
    RENEWAL = "renewal"
    TRIAL_CONVERSION = "trial conversion"
    PAYMENT_RETRY = "payment retry"


WOULD = {
    Step.END: "would end it (CANCELLED)",
    Step.EXPIRY: "would expire it (no card on file)",
    Step.RENEWAL: "would charge the card and renew",
    Step.TRIAL_CONVERSION: "would charge the card and start the first paid month",
    Step.PAYMENT_RETRY: "would retry the charge",
}


def step_for(subscription: SubscriptionRow, now: datetime) -> Step | None:
    """The step due for the subscription at `now`, if any."""
    status = Status(subscription.status)
    if status in lifecycle.ENDED or subscription.current_period_end > now:
        return None
    if subscription.cancel_at_period_end:
        return Step.END
    if status is Status.PAST_DUE:
        if now < retry_at(subscription):
            return None
        return Step.PAYMENT_RETRY if subscription.chargeable else Step.EXPIRY
    if not subscription.chargeable:
        return Step.EXPIRY
    return Step.TRIAL_CONVERSION if status is Status.TRIALING else Step.RENEWAL


def retry_at(subscription: SubscriptionRow) -> datetime:
    """A past-due subscription's charge is retried once, 3 days after it failed and not before its period ends."""
    since = subscription.past_due_since or subscription.current_period_end
    return max(subscription.current_period_end, since + RETRY_AFTER)


async def handle_period_end(
    db: Database, payments: PaymentClient | None, seen: SubscriptionRow, now: datetime, *, dry_run: bool = False
) -> JobResult | None:
    step = step_for(seen, now)
    if step is None:
        return None
    if dry_run:
        return _result(step, seen, WOULD[step])
    if step in (Step.END, Step.EXPIRY):
        return await _end(db, seen, step, now)
    return await _charge(db, payments, seen, step, now)


async def _end(db: Database, seen: SubscriptionRow, step: Step, now: datetime) -> JobResult:
    async with db.write() as session:
        subscription = await _as_seen(session, seen)
        if subscription is None or step_for(subscription, now) is not step:
            return _result(step, seen, "already done by another run")
        ended_at = now if subscription.status == Status.PAST_DUE.value else subscription.current_period_end
        final = Status.CANCELLED if step is Step.END else Status.EXPIRED
        lifecycle.move(subscription, final, ended_at)
        subscription.updated_at = utc_now()
        await plan_events.ended(session, subscription, ended_at)
    return _result(step, seen, final.value)


async def _charge(
    db: Database, payments: PaymentClient | None, seen: SubscriptionRow, step: Step, now: datetime
) -> JobResult:
    period_start = seen.current_period_end
    key = billing.period_key(seen, period_start, retry=step is Step.PAYMENT_RETRY)
    try:
        charge = await billing.charge_period(payments, seen, period_start, key=key)
    except billing.PaymentUnavailable as error:
        return _result(step, seen, f"not charged, will retry: {error}", failed=True)
    async with db.write() as session:
        subscription = await _as_seen(session, seen)
        if subscription is None:
            return _result(step, seen, "already done by another run")
        if billing.succeeded(charge):
            if subscription.status != Status.ACTIVE.value:
                lifecycle.move(subscription, Status.ACTIVE, now)
            subscription.current_period_start = period_start
            subscription.current_period_end = month_after(period_start)
            subscription.updated_at = utc_now()
            await credits.allocate(session, subscription, announce=True)
            return _result(step, seen, f"paid; ACTIVE until {plan_events.day(subscription.current_period_end)}")
        if step is Step.PAYMENT_RETRY:
            lifecycle.move(subscription, Status.EXPIRED, now)
            subscription.updated_at = utc_now()
            await plan_events.ended(session, subscription, now)
            return _result(step, seen, f"declined again ({charge.failure_code}); EXPIRED")
        lifecycle.move(subscription, Status.PAST_DUE, now)
        subscription.updated_at = utc_now()
        retry = retry_at(subscription)
        await plan_events.payment_failed(
            session, subscription, f"declined-{plan_events.stamp(period_start)}", retry_at=retry
        )
        return _result(step, seen, f"declined ({charge.failure_code}); PAST_DUE, retry on {plan_events.day(retry)}")


async def _as_seen(session: AsyncSession, seen: SubscriptionRow) -> SubscriptionRow | None:
    """The subscription, locked, if no one changed its status or period since it was read."""
    subscription = await storage.find_subscription_for_update(session, seen.id)
    if subscription is None:
        return None
    if (subscription.status, subscription.current_period_end) != (seen.status, seen.current_period_end):
        return None
    return subscription


def _result(step: Step, subscription: SubscriptionRow, outcome: str, *, failed: bool = False) -> JobResult:
    return JobResult(
        step.value, subscription.id, subscription.user_id, subscription.current_period_end, outcome, failed=failed
    )
