"""The subscription service's internal API: a member's plan, starting and cancelling it, and the gateway's events.

Starting a paid subscription charges the card through the payment service, so it takes an
`Idempotency-Key`: a retried start never charges twice. The plans a member can choose, with
their monthly credits and price, are part of the contract, as the mail templates are for the
communication service.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import ConfigDict, Field, model_validator

from solo60.contracts.errors import ErrorCode
from solo60.contracts.models import Id, RequestModel, ResponseModel, Timestamp
from solo60.contracts.payment import CardToken
from solo60.contracts.route import Contract, Link, Route


class SubscriptionStatus(StrEnum):
    TRIALING = "TRIALING"
    ACTIVE = "ACTIVE"
    PAST_DUE = "PAST_DUE"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"


class Plan(StrEnum):
    MONTHLY_4 = "monthly-4"
    MONTHLY_8 = "monthly-8"
    MONTHLY_16 = "monthly-16"


@dataclass(frozen=True)
class PlanTerms:
    """What a plan gives each month and what it costs (in the currency's minor unit)."""

    name: str
    credits_per_month: int
    price_cents: int
    currency: str = "EUR"


PLANS: dict[Plan, PlanTerms] = {
    Plan.MONTHLY_4: PlanTerms("Solo60 Monthly 4", credits_per_month=4, price_cents=2900),
    Plan.MONTHLY_8: PlanTerms("Solo60 Monthly 8", credits_per_month=8, price_cents=4900),
    Plan.MONTHLY_16: PlanTerms("Solo60 Monthly 16", credits_per_month=16, price_cents=8900),
}

TRIAL_DAYS = 14
"""A trial lasts this long, with the plan's monthly credits, and is open to a member's first subscription only."""


def _plan_table() -> str:
    rows = [
        f"| `{plan.value}` | {terms.name} | {terms.credits_per_month} | {terms.price_cents / 100:.2f} "
        f"{terms.currency} |"
        for plan, terms in PLANS.items()
    ]
    return "\n".join(["| plan | name | credits per month | price per month |", "| --- | --- | --- | --- |", *rows])


class WebhookOutcome(StrEnum):
    """What an event did; an event that changes nothing is still kept and acknowledged."""

    MARKED_PAST_DUE = "MARKED_PAST_DUE"
    ALREADY_PAST_DUE = "ALREADY_PAST_DUE"
    IGNORED_SUBSCRIPTION_ENDED = "IGNORED_SUBSCRIPTION_ENDED"
    TRIAL_ENDING_RECORDED = "TRIAL_ENDING_RECORDED"
    IGNORED_NOT_TRIALING = "IGNORED_NOT_TRIALING"


_SUBSCRIPTION_EXAMPLE: dict[str, Any] = {
    "id": "sub-1",
    "userId": "123",
    "plan": "monthly-8",
    "status": "ACTIVE",
    "creditsPerMonth": 8,
    "currentPeriodStart": "2025-01-01T00:00:00Z",
    "currentPeriodEnd": "2025-02-01T00:00:00Z",
    "trialEndsAt": None,
    "cancelAtPeriodEnd": False,
    "cancelledAt": None,
    "pastDueSince": None,
    "createdAt": "2024-12-01T09:30:00Z",
    "updatedAt": "2025-01-01T00:00:00Z",
}


class Subscription(ResponseModel):
    """A member's subscription: the plan, its credits per month and where it stands."""

    model_config = ConfigDict(json_schema_extra={"examples": [_SUBSCRIPTION_EXAMPLE]})

    id: Id
    user_id: Id
    plan: str
    status: SubscriptionStatus
    credits_per_month: int
    current_period_start: Timestamp
    current_period_end: Timestamp = Field(description="When the subscription renews (or ends, if cancelling).")
    trial_ends_at: Timestamp | None = None
    cancel_at_period_end: bool = False
    cancelled_at: Timestamp | None = None
    past_due_since: Timestamp | None = None
    created_at: Timestamp
    updated_at: Timestamp


class UserSubscription(ResponseModel):
    """The user's most recent subscription, whatever its status; null when they never had one."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"subscription": _SUBSCRIPTION_EXAMPLE}, {"subscription": None}]}
    )

    subscription: Subscription | None


class PaymentFailed(RequestModel):
    """The gateway could not collect a renewal: the subscription becomes PAST_DUE."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "eventId": "evt_1Q2w3E4r",
                    "subscriptionId": "sub-1",
                    "occurredAt": "2025-02-01T00:05:00Z",
                    "failureCode": "card_declined",
                    "failureReason": "The card was declined.",
                    "attempt": 1,
                    "nextAttemptAt": "2025-02-04T00:05:00Z",
                }
            ]
        }
    )

    event_id: Id = Field(description="The gateway's event id: a redelivered event carries the same one.")
    subscription_id: Id
    occurred_at: Timestamp
    failure_code: str | None = Field(default=None, max_length=64)
    failure_reason: str | None = Field(default=None, max_length=500)
    attempt: int | None = Field(default=None, ge=1, le=100, description="Which collection attempt failed.")
    next_attempt_at: Timestamp | None = Field(default=None, description="When the gateway will try again, if it will.")


class TrialEnding(RequestModel):
    """The gateway's notice that a trial ends soon (three days ahead)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "eventId": "evt_5T6y7U8i",
                    "subscriptionId": "sub-1",
                    "trialEndsAt": "2025-01-15T00:00:00Z",
                    "occurredAt": "2025-01-12T00:00:00Z",
                }
            ]
        }
    )

    event_id: Id = Field(description="The gateway's event id: a redelivered event carries the same one.")
    subscription_id: Id
    trial_ends_at: Timestamp
    occurred_at: Timestamp


class WebhookReceipt(ResponseModel):
    """The event's outcome and the subscription as the event left it; a redelivery gets this same answer."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "eventId": "evt_1Q2w3E4r",
                    "outcome": "MARKED_PAST_DUE",
                    "subscription": {
                        **_SUBSCRIPTION_EXAMPLE,
                        "status": "PAST_DUE",
                        "pastDueSince": "2025-02-01T00:05:00Z",
                    },
                }
            ]
        }
    )

    event_id: Id
    outcome: WebhookOutcome
    subscription: Subscription


class StartSubscription(RequestModel):
    """A member's new subscription: a paid one (charged now, with `cardToken`) or a free trial (card optional)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"userId": "123", "plan": "monthly-8", "cardToken": "tok_visa"},
                {"userId": "123", "plan": "monthly-8", "trial": True},
            ],
            "anyOf": [
                {"required": ["cardToken"], "properties": {"cardToken": {"type": "string"}}},
                {"required": ["trial"], "properties": {"trial": {"const": True}}},
            ],
        }
    )

    user_id: Id
    plan: Plan
    trial: bool = False
    card_token: CardToken | None = Field(
        default=None,
        description="The gateway's token of the card to charge now and at each renewal; required unless `trial`. "
        "A trial with a card becomes a paid subscription when it ends; without one it expires.",
    )

    @model_validator(mode="after")
    def _paid_needs_a_card(self) -> StartSubscription:
        if self.card_token is None and not self.trial:
            raise ValueError("a paid subscription needs the card to charge: give cardToken, or start a trial")
        return self


_SUBSCRIBER = {"userId": "$response.body#/subscription/userId"}
_SUBSCRIPTION_OF_USER = {"userId": "$response.body#/userId"}


class SubscriptionServiceContract(Contract):
    service = "subscription"
    title = "Solo60 subscription service"
    description = "Members' subscriptions and the payment gateway's events about them."

    get_by_user = Route(
        "GET",
        "/internal/subscriptions/by-user/{userId}",
        summary="Get a user's subscription",
        description='Answers `{"subscription": null}` for a user who never subscribed (not a 404).',
        responses={200: UserSubscription},
    )
    payment_failed = Route(
        "POST",
        "/internal/subscriptions/webhooks/payment-failed",
        summary="Receive the gateway's failed-renewal event",
        description=(
            "An ACTIVE or TRIALING subscription becomes PAST_DUE; one already PAST_DUE stays so. A CANCELLED or "
            "EXPIRED subscription is left as it is (outcome `IGNORED_SUBSCRIPTION_ENDED`): a late event about an "
            "ended subscription is acknowledged, not refused, so the gateway stops redelivering it. Every event is "
            "kept. A redelivery with the same `eventId` changes nothing and gets the first answer; the same "
            "`eventId` with other content is refused with 409."
        ),
        body=PaymentFailed,
        responses={200: WebhookReceipt},
        errors=[ErrorCode.NOT_FOUND, ErrorCode.CONFLICT],
        idempotent=True,
        links=[Link("GetSubscriptionAfterPaymentFailure", "get_by_user", _SUBSCRIBER, status=200)],
    )
    trial_ending = Route(
        "POST",
        "/internal/subscriptions/webhooks/trial-ending",
        summary="Receive the gateway's trial-ending notice",
        description=(
            "For a TRIALING subscription the notice is recorded (the trial-ending mail is due), and the gateway's "
            "`trialEndsAt` becomes the subscription's, since the gateway decides when the first charge happens. Any "
            "other subscription is left as it is (outcome `IGNORED_NOT_TRIALING`). Redeliveries behave as for "
            "payment-failed."
        ),
        body=TrialEnding,
        responses={200: WebhookReceipt},
        errors=[ErrorCode.NOT_FOUND, ErrorCode.CONFLICT],
        idempotent=True,
        links=[Link("GetSubscriptionAfterTrialNotice", "get_by_user", _SUBSCRIBER, status=200)],
    )
    start = Route(
        "POST",
        "/internal/subscriptions",
        summary="Start a subscription (paid or trial)",
        description=(
            "A paid start charges the plan's first month to `cardToken` through the payment service, then the "
            "subscription is ACTIVE for a calendar month. A trial needs no charge and is TRIALING for "
            f"{TRIAL_DAYS} days; it is open to a member who never subscribed. Either way the plan's monthly "
            "credits are allocated and SUBSCRIPTION_ACTIVATED is mailed (and PAYMENT_SUCCESS once a paid month's "
            "credits are in), through the outbox.\n\n"
            "A declined card is 409 with `details` on `body.cardToken` (its `type` is the gateway's code, e.g. "
            "`card_declined`) and nothing is stored; the same key may be retried with another card. A member with "
            "a live (TRIALING, ACTIVE or PAST_DUE) subscription gets 409 without `details`. When the payment "
            "service is unreachable the answer is 503 and nothing is stored: retry with the same `Idempotency-Key`, "
            "which keeps the "
            "charge's own key, so the card is never charged twice.\n\n" + _plan_table()
        ),
        body=StartSubscription,
        responses={201: Subscription},
        errors=[ErrorCode.CONFLICT],
        idempotency_key=True,
        calls_upstream=True,
        links=[Link("GetStartedSubscription", "get_by_user", _SUBSCRIPTION_OF_USER, status=201)],
    )
    cancel = Route(
        "POST",
        "/internal/subscriptions/{subscriptionId}/cancel",
        summary="Cancel a subscription at the end of its period",
        description=(
            "The subscription stays as it is (with `cancelAtPeriodEnd: true`) until `currentPeriodEnd`: the "
            "member keeps the month they paid for and its credits. Then the due-jobs runner ends it (CANCELLED) "
            "instead of renewing it, and mails SUBSCRIPTION_EXPIRED. Cancelling again changes nothing and "
            "answers the same; an ended (CANCELLED or EXPIRED) subscription is 409."
        ),
        responses={200: Subscription},
        errors=[ErrorCode.NOT_FOUND, ErrorCode.CONFLICT],
        idempotent=True,
        links=[Link("GetCancelledSubscription", "get_by_user", _SUBSCRIPTION_OF_USER, status=200)],
    )
