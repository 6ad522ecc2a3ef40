"""Looking up a user's subscription, and what every route answers to bad callers and bad input."""

from __future__ import annotations

import httpx
import pytest

from tests.helpers import assert_error, set_state

PAYMENT_FAILED = "/internal/subscriptions/webhooks/payment-failed"
TRIAL_ENDING = "/internal/subscriptions/webhooks/trial-ending"
FAILURE = {"eventId": "evt-1", "subscriptionId": "sub-1", "occurredAt": "2025-02-01T00:05:00Z"}


async def test_a_user_who_never_subscribed_has_a_null_subscription(subscriptions: httpx.AsyncClient) -> None:
    response = await subscriptions.get("/internal/subscriptions/by-user/123")

    assert response.status_code == 200
    assert response.json() == {"subscription": None}


async def test_the_users_subscription_is_answered_with_its_plan_credits_and_period(
    subscriptions: httpx.AsyncClient,
) -> None:
    await set_state(
        subscriptions,
        "a user has an active subscription",
        userId="123",
        subscriptionId="sub-1",
        plan="monthly-16",
        creditsPerMonth=16,
        currentPeriodStart="2025-01-31T00:00:00Z",
        cancelAtPeriodEnd=True,
    )

    response = await subscriptions.get("/internal/subscriptions/by-user/123")

    assert response.status_code == 200
    subscription = response.json()["subscription"]
    assert {key: subscription[key] for key in ("id", "userId", "plan", "status", "creditsPerMonth")} == {
        "id": "sub-1",
        "userId": "123",
        "plan": "monthly-16",
        "status": "ACTIVE",
        "creditsPerMonth": 16,
    }
    assert subscription["currentPeriodStart"] == "2025-01-31T00:00:00Z"
    assert subscription["currentPeriodEnd"] == "2025-02-28T00:00:00Z"
    assert subscription["cancelAtPeriodEnd"] is True
    assert subscription["trialEndsAt"] is None
    assert subscription["createdAt"].endswith("Z")


async def test_another_users_subscription_is_not_answered(subscriptions: httpx.AsyncClient) -> None:
    await set_state(subscriptions, "a user has an active subscription", userId="123")

    assert (await subscriptions.get("/internal/subscriptions/by-user/456")).json() == {"subscription": None}


async def test_an_ended_subscription_is_still_the_users_subscription(subscriptions: httpx.AsyncClient) -> None:
    await set_state(subscriptions, "a user has an ended subscription", userId="123", status="EXPIRED")

    subscription = (await subscriptions.get("/internal/subscriptions/by-user/123")).json()["subscription"]

    assert subscription["status"] == "EXPIRED"


async def test_a_hostile_user_id_is_refused(subscriptions: httpx.AsyncClient) -> None:
    assert_error(await subscriptions.get("/internal/subscriptions/by-user/%3Cscript%3E"), 400, "VALIDATION_ERROR")


async def test_a_call_without_a_service_key_is_unauthorized(subscriptions: httpx.AsyncClient) -> None:
    del subscriptions.headers["x-api-key"]

    assert_error(await subscriptions.get("/internal/subscriptions/by-user/123"), 401, "UNAUTHORIZED")
    assert_error(await subscriptions.post(PAYMENT_FAILED, json=FAILURE), 401, "UNAUTHORIZED")


async def test_an_event_with_a_wrong_service_key_is_refused_and_not_applied(subscriptions: httpx.AsyncClient) -> None:
    await set_state(subscriptions, "a user has an active subscription", userId="123", subscriptionId="sub-1")

    response = await subscriptions.post(PAYMENT_FAILED, json=FAILURE, headers={"x-api-key": "stolen"})

    assert_error(response, 401, "UNAUTHORIZED")
    subscription = (await subscriptions.get("/internal/subscriptions/by-user/123")).json()["subscription"]
    assert subscription["status"] == "ACTIVE"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"eventId": None}, "body.eventId"),
        ({"occurredAt": "2025-02-01T00:05:00"}, "body.occurredAt"),
        ({"occurredAt": "yesterday"}, "body.occurredAt"),
        ({"attempt": 0}, "body.attempt"),
        ({"attempt": "1"}, "body.attempt"),
        ({"failureReason": "x" * 501}, "body.failureReason"),
        ({"subscriptionId": "../admin"}, "body.subscriptionId"),
        ({"extra": True}, "body.extra"),
    ],
)
async def test_a_payment_failed_event_is_validated_field_by_field(
    subscriptions: httpx.AsyncClient, change: dict, field: str
) -> None:
    body = {key: value for key, value in {**FAILURE, **change}.items() if value is not None}

    error = assert_error(await subscriptions.post(PAYMENT_FAILED, json=body), 400, "VALIDATION_ERROR")

    assert error.details is not None
    assert [detail.field for detail in error.details] == [field]


async def test_a_trial_ending_event_needs_the_trial_end(subscriptions: httpx.AsyncClient) -> None:
    body = {"eventId": "evt-1", "subscriptionId": "sub-1", "occurredAt": "2025-01-12T00:00:00Z"}

    error = assert_error(await subscriptions.post(TRIAL_ENDING, json=body), 400, "VALIDATION_ERROR")

    assert error.details is not None
    assert [detail.field for detail in error.details] == ["body.trialEndsAt"]


async def test_malformed_or_non_json_events_are_refused(subscriptions: httpx.AsyncClient) -> None:
    broken = await subscriptions.post(
        PAYMENT_FAILED, content=b'{"eventId": "evt-1",', headers={"content-type": "application/json"}
    )
    form = await subscriptions.post(PAYMENT_FAILED, content=b"eventId=evt-1")
    listed = await subscriptions.post(PAYMENT_FAILED, json=[FAILURE])

    assert_error(broken, 400, "VALIDATION_ERROR")
    assert_error(form, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert_error(listed, 400, "VALIDATION_ERROR")


async def test_an_oversized_event_is_refused(subscriptions: httpx.AsyncClient) -> None:
    body = {**FAILURE, "failureReason": "x" * 2_000_000}

    assert_error(await subscriptions.post(PAYMENT_FAILED, json=body), 413, "PAYLOAD_TOO_LARGE")
