"""The subscription service's events: a plan's life, each with the facts its notice needs.

Moments are RFC 3339 instants; how a member reads them ("1 February 2025") is the reader's
business, not the event's.
"""

from __future__ import annotations

from solo60.contracts.events.envelope import EventContract, EventPayload, declare
from solo60.contracts.models import Id, Timestamp

PRODUCER = "subscription"


class SubscriptionFacts(EventPayload):
    subscription_id: Id
    user_id: Id
    plan_name: str


class SubscriptionActivated(SubscriptionFacts):
    monthly_credits: int
    renews_at: Timestamp


class SubscriptionCancelled(SubscriptionFacts):
    ended_at: Timestamp


class CreditsAllocated(SubscriptionFacts):
    credits: int
    period_start: Timestamp


class PaymentFailed(SubscriptionFacts):
    retry_at: Timestamp | None = None


class RenewalDue(SubscriptionFacts):
    renews_at: Timestamp


class TrialEnding(SubscriptionFacts):
    trial_ends_at: Timestamp


SUBSCRIPTION_ACTIVATED = declare(
    EventContract("subscription.activated", 1, PRODUCER, SubscriptionActivated, "A subscription started and is active.")
)
SUBSCRIPTION_CANCELLED = declare(
    EventContract(
        "subscription.cancelled",
        1,
        PRODUCER,
        SubscriptionCancelled,
        "A subscription ended: cancelled at its period's end, or lapsed after failed payments.",
    )
)
CREDITS_ALLOCATED = declare(
    EventContract(
        "subscription.credits_allocated",
        1,
        PRODUCER,
        CreditsAllocated,
        "A period's credits were added to the member's balance.",
    )
)
PAYMENT_FAILED = declare(
    EventContract("subscription.payment_failed", 1, PRODUCER, PaymentFailed, "A renewal payment was declined.")
)
RENEWAL_DUE = declare(
    EventContract("subscription.renewal_due", 1, PRODUCER, RenewalDue, "A subscription renews in 7 days.")
)
TRIAL_ENDING = declare(
    EventContract("subscription.trial_ending", 1, PRODUCER, TrialEnding, "A free trial ends in 3 days.")
)
