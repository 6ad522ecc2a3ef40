"""Starting a subscription: charge the first month (unless it is a trial), then open the period.

The order is charge first, store second: a subscription exists only once its first month is
paid. Each step's failure:

- the card is declined: 409 with `details` on `cardToken` (a refusal by the card's issuer is
  state, not a malformed request), nothing stored, the command's key not used up;
- the payment service is unreachable: 503, nothing stored; a retry with the same key reaches
  the same charge (its key derives from the subscription id, which derives from the command's
  key), so a charge that happened but whose answer was lost is not made twice;
- storing fails after a successful charge: the command fails and its retry finds the charge
  already made (same key) and stores the subscription; only a command never retried leaves a
  charge without a subscription, visible in the payment service under this subscription id.

Once stored, the allocation of the month's credits and the mails go through the outbox in
the same transaction, so they neither fail the start nor get lost. Starts for one member run
one at a time, so two concurrent starts cannot both charge.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from solo60.contracts.errors import FieldError
from solo60.contracts.subscription import PLANS, TRIAL_DAYS, StartSubscription, Subscription, SubscriptionStatus
from solo60.services.kit import Conflict, DependencyUnavailable, Reply, once_per_key, utc_now
from solo60.services.subscription import billing, credits, plan_events, storage
from solo60.services.subscription.periods import month_after
from solo60.services.subscription.runtime import SubscriptionRuntime
from solo60.services.subscription.storage import SubscriptionRow

_IDS = uuid.UUID("6f1d2c1e-5b7a-4c39-9d0e-3a8b7f2e4c51")


def subscription_id_for(user_id: str, idempotency_key: str) -> str:
    """The same command (member and key) always names the same subscription, so its charge key is stable."""
    return str(uuid.uuid5(_IDS, f"{user_id}\n{idempotency_key}"))


async def start_subscription(runtime: SubscriptionRuntime, body: StartSubscription, idempotency_key: str) -> Reply:
    subscription_id = subscription_id_for(body.user_id, idempotency_key)
    terms = PLANS[body.plan]

    async def work(session: AsyncSession) -> Subscription:
        await _one_start_at_a_time(session, body.user_id)
        await _refuse_a_second_subscription(session, body)
        now = utc_now().replace(microsecond=0)  # periods begin on a whole second, as they are shown
        ends = now + timedelta(days=TRIAL_DAYS) if body.trial else month_after(now)
        subscription = SubscriptionRow(
            id=subscription_id,
            user_id=body.user_id,
            plan=body.plan.value,
            status=(SubscriptionStatus.TRIALING if body.trial else SubscriptionStatus.ACTIVE).value,
            credits_per_month=terms.credits_per_month,
            current_period_start=now,
            current_period_end=ends,
            trial_ends_at=ends if body.trial else None,
            cancel_at_period_end=False,
            card_token=body.card_token,
            price_cents=terms.price_cents,
            currency=terms.currency,
        )
        if not body.trial:
            await _charge_first_month(runtime, subscription)
        stored = await storage.add(session, subscription)
        await plan_events.activated(session, stored)
        await credits.allocate(session, stored, announce=not body.trial)
        return Subscription.model_validate(stored, from_attributes=True)

    reply = await once_per_key(
        runtime.db,
        storage.idempotency_records,
        operation="start",
        key=idempotency_key,
        request=body,
        status=201,
        work=work,
    )
    runtime.wake()
    return reply


async def _one_start_at_a_time(session: AsyncSession, user_id: str) -> None:
    """On PostgreSQL, a lock per member until the transaction ends (SQLite already has one writer at a time)."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        await session.execute(
            sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(f"subscription-start:{user_id}")))
        )


async def _refuse_a_second_subscription(session: AsyncSession, body: StartSubscription) -> None:
    live = await storage.live_for_user(session, body.user_id)
    if live is not None:
        raise Conflict(
            f"User {body.user_id!r} already has a live subscription ({live.id}, {live.status}); it must end first."
        )
    if body.trial and await storage.latest_for_user(session, body.user_id) is not None:
        raise Conflict(f"User {body.user_id!r} subscribed before; a trial is for a first subscription only.")


async def _charge_first_month(runtime: SubscriptionRuntime, subscription: SubscriptionRow) -> None:
    assert subscription.card_token is not None
    key = billing.first_month_key(subscription.id, subscription.plan, subscription.card_token)
    try:
        charge = await billing.charge_period(runtime.payments, subscription, subscription.current_period_start, key=key)
    except billing.PaymentUnavailable as error:
        raise DependencyUnavailable(
            f"The payment service could not charge the card ({error}); nothing was stored. Retry with the same "
            "Idempotency-Key: the card is never charged twice."
        ) from None
    if not billing.succeeded(charge):
        reason = charge.failure_reason or "The card was declined."
        raise Conflict(
            f"The card was declined ({charge.failure_code}): {reason} Nothing was stored; try another card.",
            details=[FieldError(field="body.cardToken", message=reason, type=charge.failure_code or "card_declined")],
        )
