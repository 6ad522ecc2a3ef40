"""Starting a subscription, on the subscription service alone: what it refuses, and a trial that needs no one else."""

from __future__ import annotations

import httpx
import pytest
import sqlalchemy as sa

from solo60.services.subscription import storage
from tests.helpers import assert_error, set_state

START = "/internal/subscriptions"
KEY = {"Idempotency-Key": "start-1"}
PAID = {"userId": "123", "plan": "monthly-8", "cardToken": "tok_visa"}


async def queued(subscriptions: httpx.AsyncClient) -> list[tuple[str, str]]:
    async with subscriptions.app.state.runtime.db.read() as session:  # type: ignore[attr-defined]
        rows = await session.execute(sa.select(storage.outbox.c.operation, storage.outbox.c.payload))
        return sorted((row.operation, row.payload.get("name", "credits")) for row in rows)


@pytest.mark.parametrize(
    ("body", "headers", "field"),
    [
        ({"userId": "123", "plan": "monthly-8"}, KEY, "body"),
        ({**PAID, "cardToken": "4242424242424242"}, KEY, "body.cardToken"),
        ({**PAID, "plan": "lifetime"}, KEY, "body.plan"),
        ({**PAID, "trial": "yes"}, KEY, "body.trial"),
        ({**PAID, "userId": "../../admin"}, KEY, "body.userId"),
        (PAID, {}, "header.Idempotency-Key"),
    ],
)
async def test_a_malformed_start_is_refused_naming_the_field(
    subscriptions: httpx.AsyncClient, body: dict, headers: dict, field: str
) -> None:
    error = assert_error(await subscriptions.post(START, json=body, headers=headers), 400, "VALIDATION_ERROR")

    assert field in [detail.field for detail in error.details or []]


async def test_a_paid_start_says_so_when_a_card_is_missing(subscriptions: httpx.AsyncClient) -> None:
    response = await subscriptions.post(START, json={"userId": "123", "plan": "monthly-8"}, headers=KEY)

    assert "give cardToken, or start a trial" in assert_error(response, 400, "VALIDATION_ERROR").message


async def test_a_paid_start_without_a_payment_service_is_503_naming_it_and_stores_nothing(
    subscriptions: httpx.AsyncClient,
) -> None:
    response = await subscriptions.post(START, json=PAID, headers=KEY)

    assert "PAYMENT_SERVICE_URL" in assert_error(response, 503, "UPSTREAM_UNAVAILABLE").message
    assert (await subscriptions.get("/internal/subscriptions/by-user/123")).json() == {"subscription": None}
    assert await queued(subscriptions) == []


async def test_a_trial_starts_without_charging_and_queues_its_credits_and_welcome(
    subscriptions: httpx.AsyncClient,
) -> None:
    response = await subscriptions.post(START, json={"userId": "123", "plan": "monthly-16", "trial": True}, headers=KEY)

    assert response.status_code == 201, response.text
    trial = response.json()
    assert (trial["status"], trial["plan"], trial["creditsPerMonth"]) == ("TRIALING", "monthly-16", 16)
    assert trial["currentPeriodStart"].endswith("Z")
    assert trial["trialEndsAt"] == trial["currentPeriodEnd"]
    assert await queued(subscriptions) == [("allocate-credits", "credits"), ("publish_event", "subscription.activated")]


async def test_the_same_key_gets_the_same_subscription_and_another_key_a_conflict(
    subscriptions: httpx.AsyncClient,
) -> None:
    trial = {"userId": "123", "plan": "monthly-8", "trial": True}
    first = await subscriptions.post(START, json=trial, headers=KEY)
    replay = await subscriptions.post(START, json=trial, headers=KEY)
    other = await subscriptions.post(START, json=trial, headers={"Idempotency-Key": "start-2"})
    reused = await subscriptions.post(START, json={**trial, "plan": "monthly-4"}, headers=KEY)

    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay.json() == first.json()
    assert_error(other, 409, "CONFLICT")
    assert_error(reused, 422, "IDEMPOTENCY_KEY_REUSED")


@pytest.mark.parametrize(
    ("state", "says"),
    [
        ("a user has an active subscription", "a live subscription (sub-1, ACTIVE)"),
        ("a user has a past-due subscription", "a live subscription (sub-1, PAST_DUE)"),
        ("a user has an ended subscription", "a trial is for a first subscription only"),
    ],
)
async def test_a_trial_is_refused_to_a_member_who_has_or_had_a_subscription(
    subscriptions: httpx.AsyncClient, state: str, says: str
) -> None:
    await set_state(subscriptions, state, userId="123")

    response = await subscriptions.post(START, json={"userId": "123", "plan": "monthly-8", "trial": True}, headers=KEY)

    assert says in assert_error(response, 409, "CONFLICT").message


async def test_a_live_subscription_refuses_a_paid_start_before_any_charge(subscriptions: httpx.AsyncClient) -> None:
    await set_state(subscriptions, "a user has a trialing subscription", userId="123")

    response = await subscriptions.post(START, json=PAID, headers=KEY)  # no payment service: 409 comes first

    assert_error(response, 409, "CONFLICT")
