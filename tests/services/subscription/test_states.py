"""The provider states the subscription service's consumer (payment) names in its pact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.helpers import assert_error, set_state

PAYMENT_FAILED = "/internal/subscriptions/webhooks/payment-failed"


async def current(subscriptions: httpx.AsyncClient, user: str = "123") -> dict | None:
    return (await subscriptions.get(f"/internal/subscriptions/by-user/{user}")).json()["subscription"]


def parse(moment: str) -> datetime:
    return datetime.fromisoformat(moment)


async def test_the_subscription_service_lists_the_states_its_consumers_need(subscriptions: httpx.AsyncClient) -> None:
    listed = (await subscriptions.get("/_pact/provider-states")).json()

    assert {state["name"] for state in listed["states"]} == {
        "a user has an active subscription",
        "a user has a trialing subscription",
        "a user has a past-due subscription",
        "a user has an ended subscription",
        "a user has no subscription",
        "a payment failure was already received",
    }


async def test_an_active_subscription_is_in_a_monthly_period_that_includes_today(
    subscriptions: httpx.AsyncClient,
) -> None:
    values = await set_state(subscriptions, "a user has an active subscription", userId="42", subscriptionId="sub-9")

    subscription = await current(subscriptions, "42")

    assert subscription is not None
    assert (subscription["id"], subscription["status"], subscription["creditsPerMonth"]) == ("sub-9", "ACTIVE", 8)
    now = datetime.now(UTC)
    assert parse(subscription["currentPeriodStart"]) <= now < parse(subscription["currentPeriodEnd"])
    assert values == {
        "userId": "42",
        "subscriptionId": "sub-9",
        "status": "ACTIVE",
        "currentPeriodStart": subscription["currentPeriodStart"],
        "currentPeriodEnd": subscription["currentPeriodEnd"],
    }


async def test_a_trialing_subscription_ends_its_trial_in_three_days_by_default(
    subscriptions: httpx.AsyncClient,
) -> None:
    await set_state(subscriptions, "a user has a trialing subscription")

    subscription = await current(subscriptions)

    assert subscription is not None
    assert subscription["status"] == "TRIALING"
    until_trial_end = parse(subscription["trialEndsAt"]) - datetime.now(UTC)
    assert timedelta(days=2, hours=23) < until_trial_end <= timedelta(days=3)
    assert subscription["currentPeriodEnd"] == subscription["trialEndsAt"]


async def test_a_past_due_subscription_says_since_when(subscriptions: httpx.AsyncClient) -> None:
    await set_state(subscriptions, "a user has a past-due subscription", pastDueSince="2025-02-01T00:05:00Z")

    subscription = await current(subscriptions)

    assert subscription is not None
    assert (subscription["status"], subscription["pastDueSince"]) == ("PAST_DUE", "2025-02-01T00:05:00Z")


async def test_an_ended_subscription_is_cancelled_unless_said_expired(subscriptions: httpx.AsyncClient) -> None:
    await set_state(subscriptions, "a user has an ended subscription", userId="1")
    await set_state(
        subscriptions, "a user has an ended subscription", userId="2", subscriptionId="sub-2", status="EXPIRED"
    )

    cancelled, expired = await current(subscriptions, "1"), await current(subscriptions, "2")

    assert cancelled is not None
    assert expired is not None
    assert (cancelled["status"], cancelled["cancelledAt"] is not None) == ("CANCELLED", True)
    assert (expired["status"], expired["cancelledAt"]) == ("EXPIRED", None)


async def test_no_subscription_removes_the_users_subscription(subscriptions: httpx.AsyncClient) -> None:
    await set_state(subscriptions, "a user has an active subscription", userId="42")

    values = await set_state(subscriptions, "a user has no subscription", userId="42")

    assert values == {"userId": "42"}
    assert await current(subscriptions, "42") is None


async def test_a_payment_failure_was_already_received_makes_a_redelivery_a_no_op(
    subscriptions: httpx.AsyncClient,
) -> None:
    values = await set_state(
        subscriptions, "a payment failure was already received", eventId="evt-9", failureCode="card_declined"
    )
    body = {
        "eventId": "evt-9",
        "subscriptionId": "sub-1",
        "occurredAt": "2025-02-01T00:05:00Z",
        "failureCode": "card_declined",
    }

    redelivery = await subscriptions.post(PAYMENT_FAILED, json=body)

    assert values["status"] == "PAST_DUE"
    assert redelivery.status_code == 200
    assert redelivery.headers["idempotent-replayed"] == "true"
    assert redelivery.json()["outcome"] == "MARKED_PAST_DUE"
    assert (await current(subscriptions))["status"] == "PAST_DUE"  # type: ignore[index]


async def test_setting_up_a_state_twice_replaces_its_data_instead_of_failing(
    subscriptions: httpx.AsyncClient,
) -> None:
    await set_state(subscriptions, "a payment failure was already received", eventId="evt-9")
    await set_state(subscriptions, "a payment failure was already received", eventId="evt-9", attempt=2)
    await set_state(subscriptions, "a user has an active subscription", userId="123", subscriptionId="sub-1")
    await set_state(subscriptions, "a user has an active subscription", userId="123", subscriptionId="sub-2", plan="x")

    subscription = await current(subscriptions)

    assert subscription is not None
    assert (subscription["id"], subscription["plan"], subscription["status"]) == ("sub-2", "x", "ACTIVE")


async def test_reseeding_a_subscription_forgets_the_events_it_received(subscriptions: httpx.AsyncClient) -> None:
    await set_state(subscriptions, "a payment failure was already received", eventId="evt-9")
    await set_state(subscriptions, "a user has an active subscription")
    body = {"eventId": "evt-9", "subscriptionId": "sub-1", "occurredAt": "2025-02-01T00:05:00Z"}

    delivery = await subscriptions.post(PAYMENT_FAILED, json=body)

    assert "idempotent-replayed" not in delivery.headers
    assert delivery.json()["outcome"] == "MARKED_PAST_DUE"


@pytest.mark.parametrize(
    "params",
    [
        {"currentPeriodStart": "2025-01-01T00:00:00"},
        {"currentPeriodStart": "not a time"},
        {"currentPeriodStart": "2025-02-01T00:00:00Z", "currentPeriodEnd": "2025-01-01T00:00:00Z"},
        {"creditsPerMonth": -1},
        {"userId": "x" * 65},
        {"subscriptionId": "sub 1"},
        {"plan": "p" * 65},
    ],
)
async def test_a_state_with_impossible_params_is_refused_with_400(
    subscriptions: httpx.AsyncClient, params: dict
) -> None:
    response = await subscriptions.post(
        "/_pact/provider-states",
        json={"state": "a user has an active subscription", "params": params, "action": "setup"},
    )

    assert_error(response, 400, "VALIDATION_ERROR")
    assert await current(subscriptions) is None
