"""What the gateway's events record for the member: an event per failed payment, one per trial end."""

from __future__ import annotations

import httpx
import pytest
import sqlalchemy as sa

from solo60.services.subscription import storage
from tests.helpers import set_state

PAYMENT_FAILED = "/internal/subscriptions/webhooks/payment-failed"
TRIAL_ENDING = "/internal/subscriptions/webhooks/trial-ending"


async def queued(subscriptions: httpx.AsyncClient) -> list[tuple[str, dict]]:
    """The events recorded for the member (name, payload); the communication service mails them."""
    async with subscriptions.app.state.runtime.db.read() as session:  # type: ignore[attr-defined]
        payloads = (await session.execute(sa.select(storage.outbox.c.payload))).scalars().all()
    return [(payload["name"], payload["payload"]) for payload in payloads]


def failure(event_id: str = "evt-1", **fields: object) -> dict:
    return {"eventId": event_id, "subscriptionId": "sub-1", "occurredAt": "2025-02-01T00:05:00Z", **fields}


async def test_a_failed_payment_queues_one_alert_naming_the_plan_and_the_retry(
    subscriptions: httpx.AsyncClient,
) -> None:
    await set_state(subscriptions, "a user has an active subscription", plan="monthly-16")
    event = failure(nextAttemptAt="2025-02-04T00:05:00Z")

    await subscriptions.post(PAYMENT_FAILED, json=event)
    await subscriptions.post(PAYMENT_FAILED, json=event)  # redelivered

    assert await queued(subscriptions) == [
        (
            "subscription.payment_failed",
            {
                "subscriptionId": "sub-1",
                "userId": "123",
                "planName": "Solo60 Monthly 16",
                "retryAt": "2025-02-04T00:05:00Z",
            },
        )
    ]


async def test_each_failed_payment_of_a_past_due_subscription_is_an_alert(subscriptions: httpx.AsyncClient) -> None:
    await set_state(subscriptions, "a user has a past-due subscription")

    await subscriptions.post(PAYMENT_FAILED, json=failure("evt-2"))
    await subscriptions.post(PAYMENT_FAILED, json=failure("evt-3"))

    assert [template for template, _ in await queued(subscriptions)] == ["subscription.payment_failed"] * 2


@pytest.mark.parametrize("status", ["CANCELLED", "EXPIRED"])
async def test_a_late_failure_about_an_ended_subscription_alerts_no_one(
    subscriptions: httpx.AsyncClient, status: str
) -> None:
    await set_state(subscriptions, "a user has an ended subscription", status=status)

    response = await subscriptions.post(PAYMENT_FAILED, json=failure())

    assert response.json()["outcome"] == "IGNORED_SUBSCRIPTION_ENDED"
    assert await queued(subscriptions) == []


async def test_a_trial_ending_notice_queues_one_warning_and_marks_it_sent(subscriptions: httpx.AsyncClient) -> None:
    await set_state(subscriptions, "a user has a trialing subscription", trialEndsAt="2025-01-15T00:00:00Z")
    event = {
        "eventId": "evt-t1",
        "subscriptionId": "sub-1",
        "trialEndsAt": "2025-01-15T00:00:00Z",
        "occurredAt": "2025-01-12T00:00:00Z",
    }

    await subscriptions.post(TRIAL_ENDING, json=event)
    await subscriptions.post(TRIAL_ENDING, json={**event, "eventId": "evt-t2"})  # the gateway said it twice

    assert await queued(subscriptions) == [
        (
            "subscription.trial_ending",
            {
                "subscriptionId": "sub-1",
                "userId": "123",
                "planName": "Solo60 Monthly 8",
                "trialEndsAt": "2025-01-15T00:00:00Z",
            },
        )
    ]
    async with subscriptions.app.state.runtime.db.read() as session:  # type: ignore[attr-defined]
        [notice] = await storage.notices_of(session, "sub-1")
    assert notice.sent_at is not None


async def test_a_cancelled_trials_ending_is_recorded_without_a_warning(subscriptions: httpx.AsyncClient) -> None:
    await set_state(subscriptions, "a user has a trialing subscription", trialEndsAt="2025-01-15T00:00:00Z")
    await subscriptions.post("/internal/subscriptions/sub-1/cancel")
    event = {
        "eventId": "evt-t1",
        "subscriptionId": "sub-1",
        "trialEndsAt": "2025-01-15T00:00:00Z",
        "occurredAt": "2025-01-12T00:00:00Z",
    }

    response = await subscriptions.post(TRIAL_ENDING, json=event)

    assert response.json()["outcome"] == "TRIAL_ENDING_RECORDED"
    assert await queued(subscriptions) == []
