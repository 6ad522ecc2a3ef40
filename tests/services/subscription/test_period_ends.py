"""What is due when a period ends, decided per subscription; the steps that need no card charge, on the database."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa

from solo60.services.subscription import storage
from solo60.services.subscription.due_jobs import run_due
from solo60.services.subscription.period_ends import Step, step_for
from solo60.services.subscription.storage import SubscriptionRow
from tests.helpers import set_state

END = datetime.fromisoformat("2031-03-01T00:00:00Z")
DAY = timedelta(days=1)


def subscription(status: str = "ACTIVE", **fields: object) -> SubscriptionRow:
    values: dict = {
        "id": "sub-1",
        "user_id": "123",
        "plan": "monthly-8",
        "status": status,
        "credits_per_month": 8,
        "current_period_start": END - timedelta(days=28),
        "current_period_end": END,
        "cancel_at_period_end": False,
        "card_token": "tok_visa",
        "price_cents": 4900,
        "currency": "EUR",
    }
    values.update(fields)
    return SubscriptionRow(**values)


@pytest.mark.parametrize(
    ("row", "now", "step"),
    [
        (subscription(), END - timedelta(seconds=1), None),
        (subscription(), END, Step.RENEWAL),
        (subscription(cancel_at_period_end=True), END, Step.END),
        (subscription(card_token=None), END, Step.EXPIRY),
        (subscription("TRIALING", trial_ends_at=END), END, Step.TRIAL_CONVERSION),
        (subscription("TRIALING", trial_ends_at=END, card_token=None), END, Step.EXPIRY),
        (subscription("TRIALING", trial_ends_at=END, cancel_at_period_end=True), END, Step.END),
        (subscription("PAST_DUE", past_due_since=END), END + 3 * DAY - timedelta(seconds=1), None),
        (subscription("PAST_DUE", past_due_since=END), END + 3 * DAY, Step.PAYMENT_RETRY),
        (subscription("PAST_DUE", past_due_since=END - 10 * DAY), END - DAY, None),  # its period has not ended
        (subscription("PAST_DUE", past_due_since=END - 10 * DAY), END, Step.PAYMENT_RETRY),
        (subscription("PAST_DUE", past_due_since=END, card_token=None), END + 3 * DAY, Step.EXPIRY),
        (subscription("PAST_DUE", past_due_since=END, cancel_at_period_end=True), END, Step.END),
        (subscription("CANCELLED"), END + DAY, None),
        (subscription("EXPIRED"), END + DAY, None),
    ],
)
def test_the_step_due_at_a_period_end(row: SubscriptionRow, now: datetime, step: Step | None) -> None:
    assert step_for(row, now) is step


async def ran(subscriptions: httpx.AsyncClient, now: datetime) -> list[tuple[str, str, bool]]:
    db = subscriptions.app.state.runtime.db  # type: ignore[attr-defined]
    return [(result.job, result.outcome, result.failed) for result in await run_due(db, None, now=now)]


async def queued_events(subscriptions: httpx.AsyncClient) -> list[str]:
    """The events recorded for the member (the communication service mails them)."""
    async with subscriptions.app.state.runtime.db.read() as session:  # type: ignore[attr-defined]
        payloads = (await session.execute(sa.select(storage.outbox.c.payload))).scalars().all()
    return sorted(payload["name"] for payload in payloads if "name" in payload)


async def status_of(subscriptions: httpx.AsyncClient) -> dict:
    return (await subscriptions.get("/internal/subscriptions/by-user/123")).json()["subscription"]


PERIOD = {"currentPeriodStart": "2031-02-01T00:00:00Z", "currentPeriodEnd": "2031-03-01T00:00:00Z"}


async def test_a_subscription_cancelled_at_period_end_ends_then_and_is_mailed_once(
    subscriptions: httpx.AsyncClient,
) -> None:
    await set_state(subscriptions, "a user has an active subscription", cancelAtPeriodEnd=True, **PERIOD)

    assert await ran(subscriptions, END - DAY) == []
    assert await ran(subscriptions, END) == [("end of cancelled subscription", "CANCELLED", False)]
    assert await ran(subscriptions, END + DAY) == []
    ended = await status_of(subscriptions)
    assert (ended["status"], ended["cancelledAt"]) == ("CANCELLED", "2031-03-01T00:00:00Z")
    assert await queued_events(subscriptions) == ["subscription.cancelled"]


async def test_a_subscription_without_a_card_expires_at_its_period_end(subscriptions: httpx.AsyncClient) -> None:
    await set_state(subscriptions, "a user has an active subscription", **PERIOD)

    assert await ran(subscriptions, END) == [("expiry", "EXPIRED", False)]
    assert (await status_of(subscriptions))["status"] == "EXPIRED"
    assert await queued_events(subscriptions) == ["subscription.cancelled"]


async def test_a_renewal_without_a_payment_service_fails_and_changes_nothing(subscriptions: httpx.AsyncClient) -> None:
    seeded = await set_state(subscriptions, "a user has an active subscription", cardToken="tok_visa", **PERIOD)

    [(job, outcome, failed)] = await ran(subscriptions, END)

    assert (job, failed) == ("renewal", True)
    assert "PAYMENT_SERVICE_URL is not set" in outcome
    assert (await status_of(subscriptions))["currentPeriodEnd"] == seeded["currentPeriodEnd"]
    assert await queued_events(subscriptions) == []


async def test_a_trial_the_gateway_extended_ends_at_its_new_end(subscriptions: httpx.AsyncClient) -> None:
    await set_state(subscriptions, "a user has a trialing subscription", trialEndsAt="2031-03-01T00:00:00Z")
    event = {
        "eventId": "evt-t1",
        "subscriptionId": "sub-1",
        "trialEndsAt": "2031-03-03T00:00:00Z",
        "occurredAt": "2031-02-26T00:00:00Z",
    }
    receipt = (await subscriptions.post("/internal/subscriptions/webhooks/trial-ending", json=event)).json()

    assert receipt["subscription"]["currentPeriodEnd"] == "2031-03-03T00:00:00Z"
    assert await ran(subscriptions, END + DAY) == []
    assert await ran(subscriptions, END + 2 * DAY) == [("expiry", "EXPIRED", False)]
