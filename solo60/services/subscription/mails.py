"""The member's mails about their subscription, queued in the outbox with the change that causes them.

Every mail's message id is derived from what caused it (the subscription and the period, the
gateway event, the notice's date), so queueing it twice, from a retried command or two
runners, queues it once, and the key the relay sends with it makes the communication
service accept it once.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from solo60.contracts.communication import Recipient, SendEmail, TemplateKey
from solo60.contracts.subscription import PLANS, Plan
from solo60.services.kit import enqueue
from solo60.services.subscription import storage
from solo60.services.subscription.storage import SubscriptionRow

SEND_EMAIL = "send-email"
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


async def send(
    session: AsyncSession, subscription: SubscriptionRow, template: TemplateKey, identity: str, **variables: Any
) -> None:
    """Queue `template` to the subscriber; `identity` says what the mail is about, once."""
    mail = SendEmail(template_key=template, to=Recipient(user_id=subscription.user_id), variables=variables)
    identifier = message_id("subscription", subscription.id, identity)
    payload = {"mail": mail.model_dump(mode="json", exclude_unset=True)}
    await enqueue(session, storage.outbox, SEND_EMAIL, payload, message_id=identifier)


async def activated(session: AsyncSession, subscription: SubscriptionRow) -> None:
    await send(
        session,
        subscription,
        TemplateKey.SUBSCRIPTION_ACTIVATED,
        "activated",
        planName=plan_name(subscription),
        monthlyCredits=subscription.credits_per_month,
        renewsAt=day(subscription.current_period_end),
    )


async def ended(session: AsyncSession, subscription: SubscriptionRow, ended_at: datetime) -> None:
    await send(
        session,
        subscription,
        TemplateKey.SUBSCRIPTION_EXPIRED,
        "ended",
        planName=plan_name(subscription),
        endedAt=day(ended_at),
    )


async def payment_failed(
    session: AsyncSession, subscription: SubscriptionRow, identity: str, retry_at: datetime | None
) -> None:
    variables: dict[str, Any] = {"planName": plan_name(subscription)}
    if retry_at is not None:
        variables["retryAt"] = f"on {day(retry_at)}"
    await send(session, subscription, TemplateKey.PAYMENT_FAILED, identity, **variables)


async def renewal_reminder(session: AsyncSession, subscription: SubscriptionRow) -> None:
    renews_at = subscription.current_period_end
    await send(
        session,
        subscription,
        TemplateKey.RENEWAL_REMINDER,
        f"renewal-reminder-{stamp(renews_at)}",
        planName=plan_name(subscription),
        renewsAt=day(renews_at),
    )


async def trial_ending(session: AsyncSession, subscription: SubscriptionRow, trial_ends_at: datetime) -> None:
    await send(
        session,
        subscription,
        TemplateKey.TRIAL_ENDING,
        f"trial-ending-{stamp(trial_ends_at)}",
        planName=plan_name(subscription),
        trialEndsAt=day(trial_ends_at),
    )


def credits_added(subscription: SubscriptionRow) -> dict[str, Any]:
    """The PAYMENT_SUCCESS notice, sent by the allocation's delivery once the credits are in."""
    mail = SendEmail(
        template_key=TemplateKey.PAYMENT_SUCCESS,
        to=Recipient(user_id=subscription.user_id),
        variables={"credits": subscription.credits_per_month, "planName": plan_name(subscription)},
    )
    return mail.model_dump(mode="json", exclude_unset=True)
