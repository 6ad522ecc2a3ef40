"""The events of a plan's life, recorded in the outbox with the change that causes them.

The communication service consumes them and mails the member (`communication/event_mails.py`).
Each event's payload is built here from the subscription as stored (`*_event` functions: the
code the message pacts verify), and each message id is derived from what caused it (the
subscription and the period, the gateway event, the notice's date), so recording it twice,
from a retried command or two runners, records it once, and consumers drop redeliveries by it.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from solo60.contracts.events.envelope import EventContract
from solo60.contracts.events.subscription import (
    CREDITS_ALLOCATED,
    PAYMENT_FAILED,
    RENEWAL_DUE,
    SUBSCRIPTION_ACTIVATED,
    SUBSCRIPTION_CANCELLED,
    TRIAL_ENDING,
    CreditsAllocated,
    PaymentFailed,
    RenewalDue,
    SubscriptionActivated,
    SubscriptionCancelled,
    TrialEnding,
)
from solo60.contracts.subscription import PLANS, Plan
from solo60.services.kit import utc_now
from solo60.services.kit.events import publish_later
from solo60.services.subscription import storage
from solo60.services.subscription.storage import SubscriptionRow

MAX_MESSAGE_ID = 64
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]+")


def message_id(*parts: str) -> str:
    """`part-part-...`, or a digest of it when that would not fit the outbox's id column."""
    readable = "-".join(parts)
    if len(readable) <= MAX_MESSAGE_ID:
        return readable
    return f"{parts[0][:16]}-{hashlib.sha256(readable.encode()).hexdigest()[:40]}"


def stamp(moment: datetime) -> str:
    """A moment as it appears in ids and keys: `20250201T000000Z`."""
    return moment.strftime("%Y%m%dT%H%M%SZ")


def day(moment: datetime) -> str:
    """A date as members read it: `1 February 2025` (UTC)."""
    return f"{moment.day} {moment:%B %Y}"


def plan_name(subscription: SubscriptionRow) -> str:
    try:
        return PLANS[Plan(subscription.plan)].name
    except ValueError:  # a plan from before the catalogue: its key is the best name there is, made mail-safe
        return " ".join(_CONTROL_CHARACTERS.sub(" ", subscription.plan).split()) or "your plan"


# -- the payloads, from the subscription as stored -------------------------------------------


def _facts(subscription: SubscriptionRow) -> dict[str, str]:
    return {"subscription_id": subscription.id, "user_id": subscription.user_id, "plan_name": plan_name(subscription)}


def activated_event(subscription: SubscriptionRow) -> SubscriptionActivated:
    return SubscriptionActivated(
        **_facts(subscription),
        monthly_credits=subscription.credits_per_month,
        renews_at=subscription.current_period_end,
    )


def ended_event(subscription: SubscriptionRow, ended_at: datetime) -> SubscriptionCancelled:
    return SubscriptionCancelled(**_facts(subscription), ended_at=ended_at)


def credits_allocated_event(subscription: SubscriptionRow) -> CreditsAllocated:
    return CreditsAllocated(
        **_facts(subscription),
        credits=subscription.credits_per_month,
        period_start=subscription.current_period_start,
    )


def payment_failed_event(subscription: SubscriptionRow, retry_at: datetime | None) -> PaymentFailed:
    return PaymentFailed(**_facts(subscription), retry_at=retry_at)


def renewal_due_event(subscription: SubscriptionRow) -> RenewalDue:
    return RenewalDue(**_facts(subscription), renews_at=subscription.current_period_end)


def trial_ending_event(subscription: SubscriptionRow, trial_ends_at: datetime) -> TrialEnding:
    return TrialEnding(**_facts(subscription), trial_ends_at=trial_ends_at)


# -- recorded with the change ----------------------------------------------------------------


async def publish(
    session: AsyncSession,
    subscription: SubscriptionRow,
    contract: EventContract[BaseModel],
    payload: BaseModel,
    identity: str,
) -> None:
    """Record the event in the outbox; `identity` says what it is about, once."""
    identifier = message_id("subscription", subscription.id, identity)
    await publish_later(session, storage.outbox, contract, payload, message_id=identifier, occurred_at=utc_now())


async def activated(session: AsyncSession, subscription: SubscriptionRow) -> None:
    await publish(session, subscription, SUBSCRIPTION_ACTIVATED, activated_event(subscription), "activated")


async def ended(session: AsyncSession, subscription: SubscriptionRow, ended_at: datetime) -> None:
    await publish(session, subscription, SUBSCRIPTION_CANCELLED, ended_event(subscription, ended_at), "ended")


async def payment_failed(
    session: AsyncSession, subscription: SubscriptionRow, identity: str, retry_at: datetime | None
) -> None:
    await publish(session, subscription, PAYMENT_FAILED, payment_failed_event(subscription, retry_at), identity)


async def renewal_reminder(session: AsyncSession, subscription: SubscriptionRow) -> None:
    identity = f"renewal-reminder-{stamp(subscription.current_period_end)}"
    await publish(session, subscription, RENEWAL_DUE, renewal_due_event(subscription), identity)


async def trial_ending(session: AsyncSession, subscription: SubscriptionRow, trial_ends_at: datetime) -> None:
    identity = f"trial-ending-{stamp(trial_ends_at)}"
    await publish(session, subscription, TRIAL_ENDING, trial_ending_event(subscription, trial_ends_at), identity)


async def credits_allocated(session: AsyncSession, message_id: str, payload: CreditsAllocated) -> None:
    """Recorded by the allocation's delivery once the credits are in (a redelivery records nothing new)."""
    await publish_later(
        session, storage.outbox, CREDITS_ALLOCATED, payload, message_id=message_id, occurred_at=utc_now()
    )
