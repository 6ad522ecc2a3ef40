"""Provider states of the subscription service, as its consumer (payment) names them.

Times are RFC 3339 strings (the state listing is plain JSON); when left out they are
relative to now, so a seeded subscription is current whenever the verification runs. A
`cardToken` puts a card on file (at the plan's price), so the due-jobs runner renews the
subscription or converts the trial instead of letting it expire.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import Field

from solo60.contracts.models import Id
from solo60.contracts.subscription import PLANS, PaymentFailed, Plan, SubscriptionStatus
from solo60.services.kit import ProviderStates, StateParams, utc_now
from solo60.services.subscription import storage
from solo60.services.subscription.periods import month_after, start_of_day
from solo60.services.subscription.routes import SubscriptionRoutes

states = ProviderStates("subscription")

TRIAL_DAYS = 14


class Subscriber(StateParams):
    user_id: Id = Field(default="123", alias="userId")
    subscription_id: Id = Field(default="sub-1", alias="subscriptionId")
    plan: str = Field(default="monthly-8", min_length=1, max_length=64)
    credits_per_month: int = Field(default=8, ge=0, le=100_000, alias="creditsPerMonth")
    card_token: str | None = Field(
        default=None,
        alias="cardToken",
        min_length=1,
        max_length=255,
        pattern=r"^[A-Za-z][A-Za-z0-9_]*$",
        description="a card on file (the gateway's token); default: none",
    )


class PaidSubscription(Subscriber):
    current_period_start: str | None = Field(
        default=None, alias="currentPeriodStart", description="RFC 3339; default: today, 00:00 UTC"
    )
    current_period_end: str | None = Field(
        default=None, alias="currentPeriodEnd", description="RFC 3339; default: a month after the start"
    )
    cancel_at_period_end: bool = Field(default=False, alias="cancelAtPeriodEnd")


class TrialingSubscription(Subscriber):
    trial_ends_at: str | None = Field(default=None, alias="trialEndsAt", description="RFC 3339; default: in 3 days")


class PastDueSubscription(PaidSubscription):
    past_due_since: str | None = Field(default=None, alias="pastDueSince", description="RFC 3339; default: now")


class EndedSubscription(PaidSubscription):
    status: Literal["CANCELLED", "EXPIRED"] = "CANCELLED"


class NoSubscription(StateParams):
    user_id: Id = Field(default="123", alias="userId")


class PaymentFailureReceived(PaidSubscription):
    event_id: Id = Field(default="evt-payment-failed-1", alias="eventId")
    occurred_at: str = Field(default="2025-02-01T00:05:00Z", alias="occurredAt", description="RFC 3339")
    failure_code: str | None = Field(default=None, max_length=64, alias="failureCode")
    failure_reason: str | None = Field(default=None, max_length=500, alias="failureReason")
    attempt: int | None = Field(default=None, ge=1, le=100)
    next_attempt_at: str | None = Field(default=None, alias="nextAttemptAt", description="RFC 3339")


@states.state(
    "a user has an active subscription",
    params=PaidSubscription,
    operations=(
        "GET /internal/subscriptions/by-user/{userId}",
        "POST /internal/subscriptions/{subscriptionId}/cancel",
        "POST /internal/subscriptions/webhooks/payment-failed",
    ),
)
async def a_user_has_an_active_subscription(runtime: Any, params: PaidSubscription) -> dict[str, Any]:
    """An ACTIVE subscription in its current monthly period (by default from today to a month later)."""
    return await _seed(runtime, params, SubscriptionStatus.ACTIVE, **_period(params))


@states.state(
    "a user has a trialing subscription",
    params=TrialingSubscription,
    operations=("POST /internal/subscriptions/webhooks/trial-ending",),
)
async def a_user_has_a_trialing_subscription(runtime: Any, params: TrialingSubscription) -> dict[str, Any]:
    """A TRIALING subscription whose 14-day trial ends at `trialEndsAt` (by default in 3 days)."""
    trial_ends_at = _moment(params.trial_ends_at, "trialEndsAt") or utc_now() + timedelta(days=3)
    return await _seed(
        runtime,
        params,
        SubscriptionStatus.TRIALING,
        current_period_start=trial_ends_at - timedelta(days=TRIAL_DAYS),
        current_period_end=trial_ends_at,
        trial_ends_at=trial_ends_at,
    )


@states.state("a user has a past-due subscription", params=PastDueSubscription)
async def a_user_has_a_past_due_subscription(runtime: Any, params: PastDueSubscription) -> dict[str, Any]:
    """A PAST_DUE subscription: its renewal payment failed at `pastDueSince` (by default now)."""
    past_due_since = _moment(params.past_due_since, "pastDueSince") or utc_now()
    return await _seed(runtime, params, SubscriptionStatus.PAST_DUE, past_due_since=past_due_since, **_period(params))


@states.state("a user has an ended subscription", params=EndedSubscription)
async def a_user_has_an_ended_subscription(runtime: Any, params: EndedSubscription) -> dict[str, Any]:
    """A CANCELLED (default) or EXPIRED subscription: the user's latest, and final, one."""
    status = SubscriptionStatus(params.status)
    cancelled_at = utc_now() if status is SubscriptionStatus.CANCELLED else None
    return await _seed(runtime, params, status, cancelled_at=cancelled_at, **_period(params))


@states.state("a user has no subscription", params=NoSubscription)
async def a_user_has_no_subscription(runtime: Any, params: NoSubscription) -> dict[str, Any]:
    """The user never subscribed: the lookup answers null and events about their old ids are 404."""
    async with runtime.db.write() as session:
        await storage.forget_subscriptions(session, user_id=params.user_id)
    return {"userId": params.user_id}


@states.state("a payment failure was already received", params=PaymentFailureReceived)
async def a_payment_failure_was_already_received(runtime: Any, params: PaymentFailureReceived) -> dict[str, Any]:
    """An active subscription turned PAST_DUE by the payment-failed event `eventId`, whose redelivery is a no-op."""
    values = await _seed(runtime, params, SubscriptionStatus.ACTIVE, **_period(params))
    async with runtime.db.write() as session:
        await storage.forget_event(session, params.event_id)
    event = PaymentFailed(
        event_id=params.event_id,
        subscription_id=params.subscription_id,
        occurred_at=_moment(params.occurred_at, "occurredAt") or utc_now(),  # required, so never the default
        failure_code=params.failure_code,
        failure_reason=params.failure_reason,
        attempt=params.attempt,
        next_attempt_at=_moment(params.next_attempt_at, "nextAttemptAt"),
    )
    await SubscriptionRoutes(runtime).payment_failed(body=event)
    return {**values, "eventId": params.event_id, "status": SubscriptionStatus.PAST_DUE.value}


async def _seed(runtime: Any, params: Subscriber, status: SubscriptionStatus, **fields: Any) -> dict[str, Any]:
    """Replace any subscription of the user, or with the id, by the one described."""
    async with runtime.db.write() as session:
        await storage.forget_subscriptions(session, user_id=params.user_id, subscription_id=params.subscription_id)
        row = await storage.add_subscription(
            session,
            id=params.subscription_id,
            user_id=params.user_id,
            plan=params.plan,
            status=status.value,
            credits_per_month=params.credits_per_month,
            cancel_at_period_end=getattr(params, "cancel_at_period_end", False),
            **_card_on_file(params),
            **fields,
        )
    return {
        "userId": row.user_id,
        "subscriptionId": row.id,
        "status": row.status,
        "currentPeriodStart": _rfc3339(row.current_period_start),
        "currentPeriodEnd": _rfc3339(row.current_period_end),
    }


def _card_on_file(params: Subscriber) -> dict[str, Any]:
    if params.card_token is None:
        return {}
    try:
        terms = PLANS[Plan(params.plan)]
        price, currency = terms.price_cents, terms.currency
    except ValueError:
        price, currency = 4900, "EUR"  # a plan outside the catalogue: the middle plan's price
    return {"card_token": params.card_token, "price_cents": price, "currency": currency}


def _period(params: PaidSubscription) -> dict[str, datetime]:
    start = _moment(params.current_period_start, "currentPeriodStart") or start_of_day(utc_now())
    end = _moment(params.current_period_end, "currentPeriodEnd") or month_after(start)
    if end <= start:
        raise ValueError("currentPeriodEnd must be after currentPeriodStart")
    return {"current_period_start": start, "current_period_end": end}


def _moment(text: str | None, name: str) -> datetime | None:
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"{name} needs a timezone, e.g. 2025-01-01T00:00:00Z")
    return moment


def _rfc3339(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
