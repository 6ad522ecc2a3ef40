"""The payment gateway's events: what each does to a subscription, kept once, answered alike on redelivery."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import sqlalchemy as sa

from solo60.services.subscription.storage import SubscriptionEventRow, SubscriptionNoticeRow
from tests.helpers import assert_error, set_state

PAYMENT_FAILED = "/internal/subscriptions/webhooks/payment-failed"
TRIAL_ENDING = "/internal/subscriptions/webhooks/trial-ending"
FAILED_AT = "2025-02-01T00:05:00Z"


async def payment_failed(subscriptions: httpx.AsyncClient, event_id: str = "evt-1", **fields: object):
    body = {"eventId": event_id, "subscriptionId": "sub-1", "occurredAt": FAILED_AT, **fields}
    return await subscriptions.post(PAYMENT_FAILED, json=body)


async def trial_ending(subscriptions: httpx.AsyncClient, trial_ends_at: str, event_id: str = "evt-t1"):
    body = {
        "eventId": event_id,
        "subscriptionId": "sub-1",
        "trialEndsAt": trial_ends_at,
        "occurredAt": "2025-01-12T00:00:00Z",
    }
    return await subscriptions.post(TRIAL_ENDING, json=body)


async def current(subscriptions: httpx.AsyncClient, user: str = "123") -> dict:
    return (await subscriptions.get(f"/internal/subscriptions/by-user/{user}")).json()["subscription"]


async def kept_events(subscriptions: httpx.AsyncClient) -> list[SubscriptionEventRow]:
    async with subscriptions.app.state.runtime.db.read() as session:  # type: ignore[attr-defined]
        return list(await session.scalars(sa.select(SubscriptionEventRow)))


async def notices(subscriptions: httpx.AsyncClient) -> list[tuple[str, str]]:
    async with subscriptions.app.state.runtime.db.read() as session:  # type: ignore[attr-defined]
        rows = await session.scalars(sa.select(SubscriptionNoticeRow))
        return [(row.kind, row.due_for.strftime("%Y-%m-%dT%H:%M:%SZ")) for row in rows]


async def test_a_failed_renewal_makes_an_active_subscription_past_due(subscriptions: httpx.AsyncClient) -> None:
    await set_state(subscriptions, "a user has an active subscription", userId="123", subscriptionId="sub-1")

    response = await payment_failed(subscriptions, failureCode="card_declined", attempt=1)

    assert response.status_code == 200, response.text
    receipt = response.json()
    assert (receipt["eventId"], receipt["outcome"]) == ("evt-1", "MARKED_PAST_DUE")
    assert receipt["subscription"]["status"] == "PAST_DUE"
    assert receipt["subscription"]["pastDueSince"] == FAILED_AT
    assert await current(subscriptions) == receipt["subscription"]


async def test_a_failed_first_payment_after_a_trial_makes_it_past_due(subscriptions: httpx.AsyncClient) -> None:
    await set_state(subscriptions, "a user has a trialing subscription", userId="123", subscriptionId="sub-1")

    receipt = (await payment_failed(subscriptions)).json()

    assert receipt["outcome"] == "MARKED_PAST_DUE"
    assert (await current(subscriptions))["status"] == "PAST_DUE"


async def test_a_further_failure_leaves_a_past_due_subscription_as_it_was(subscriptions: httpx.AsyncClient) -> None:
    await set_state(subscriptions, "a user has a past-due subscription", pastDueSince="2025-01-01T00:00:00Z")
    before = await current(subscriptions)

    receipt = (await payment_failed(subscriptions, attempt=2)).json()

    assert receipt["outcome"] == "ALREADY_PAST_DUE"
    assert receipt["subscription"] == before
    assert before["pastDueSince"] == "2025-01-01T00:00:00Z"


@pytest.mark.parametrize("status", ["CANCELLED", "EXPIRED"])
async def test_a_late_failure_about_an_ended_subscription_is_acknowledged_and_changes_nothing(
    subscriptions: httpx.AsyncClient, status: str
) -> None:
    await set_state(subscriptions, "a user has an ended subscription", status=status)
    before = await current(subscriptions)

    response = await payment_failed(subscriptions)

    assert response.status_code == 200
    assert response.json()["outcome"] == "IGNORED_SUBSCRIPTION_ENDED"
    assert await current(subscriptions) == before
    assert [event.outcome for event in await kept_events(subscriptions)] == ["IGNORED_SUBSCRIPTION_ENDED"]


async def test_every_event_is_kept_with_what_it_did(subscriptions: httpx.AsyncClient) -> None:
    await set_state(subscriptions, "a user has an active subscription")

    await payment_failed(subscriptions, "evt-1", failureReason="Card declined", nextAttemptAt="2025-02-04T00:05:00Z")
    await payment_failed(subscriptions, "evt-2", attempt=2)

    kept = {event.event_id: event for event in await kept_events(subscriptions)}
    assert {key: (event.type, event.outcome) for key, event in kept.items()} == {
        "evt-1": ("payment-failed", "MARKED_PAST_DUE"),
        "evt-2": ("payment-failed", "ALREADY_PAST_DUE"),
    }
    assert kept["evt-1"].payload["failureReason"] == "Card declined"
    assert kept["evt-1"].payload["nextAttemptAt"] == "2025-02-04T00:05:00Z"


async def test_a_redelivered_event_changes_nothing_and_gets_the_first_answer(
    subscriptions: httpx.AsyncClient,
) -> None:
    await set_state(subscriptions, "a user has an active subscription")

    first = await payment_failed(subscriptions)
    again = await payment_failed(subscriptions)

    assert again.status_code == 200
    assert again.json() == first.json()
    assert again.json()["outcome"] == "MARKED_PAST_DUE"
    assert again.headers["idempotent-replayed"] == "true"
    assert len(await kept_events(subscriptions)) == 1


async def test_the_same_event_id_with_other_content_is_a_conflict(subscriptions: httpx.AsyncClient) -> None:
    await set_state(subscriptions, "a user has an active subscription")
    await payment_failed(subscriptions, attempt=1)

    assert_error(await payment_failed(subscriptions, attempt=2), 409, "CONFLICT")
    assert_error(await trial_ending(subscriptions, "2025-01-15T00:00:00Z", event_id="evt-1"), 409, "CONFLICT")
    assert len(await kept_events(subscriptions)) == 1


async def test_concurrent_redeliveries_apply_the_event_once(subscriptions: httpx.AsyncClient) -> None:
    await set_state(subscriptions, "a user has an active subscription")

    responses = await asyncio.gather(*(payment_failed(subscriptions) for _ in range(8)))

    assert [response.status_code for response in responses] == [200] * 8
    assert len({response.text for response in responses}) == 1
    assert len(await kept_events(subscriptions)) == 1


async def test_two_failure_events_at_once_mark_the_subscription_past_due_once(
    subscriptions: httpx.AsyncClient,
) -> None:
    await set_state(subscriptions, "a user has an active subscription")

    responses = await asyncio.gather(*(payment_failed(subscriptions, f"evt-{i}") for i in range(4)))

    outcomes = sorted(response.json()["outcome"] for response in responses)
    assert outcomes == ["ALREADY_PAST_DUE"] * 3 + ["MARKED_PAST_DUE"]


async def test_an_event_about_an_unknown_subscription_is_not_found_and_not_kept(
    subscriptions: httpx.AsyncClient,
) -> None:
    assert "sub-1" in assert_error(await payment_failed(subscriptions), 404, "NOT_FOUND").message
    await set_state(subscriptions, "a user has an active subscription", subscriptionId="sub-1")

    redelivered = await payment_failed(subscriptions)

    assert redelivered.json()["outcome"] == "MARKED_PAST_DUE"
    assert "idempotent-replayed" not in redelivered.headers


async def test_a_trial_ending_notice_is_recorded_for_a_trialing_subscription(subscriptions: httpx.AsyncClient) -> None:
    await set_state(subscriptions, "a user has a trialing subscription", trialEndsAt="2025-01-15T00:00:00Z")

    response = await trial_ending(subscriptions, "2025-01-15T00:00:00Z")

    assert response.status_code == 200, response.text
    receipt = response.json()
    assert receipt["outcome"] == "TRIAL_ENDING_RECORDED"
    assert receipt["subscription"]["status"] == "TRIALING"
    assert await notices(subscriptions) == [("TRIAL_ENDING", "2025-01-15T00:00:00Z")]
    assert [event.type for event in await kept_events(subscriptions)] == ["trial-ending"]


async def test_the_gateways_trial_end_becomes_the_subscriptions(subscriptions: httpx.AsyncClient) -> None:
    await set_state(subscriptions, "a user has a trialing subscription", trialEndsAt="2025-01-15T00:00:00Z")

    receipt = (await trial_ending(subscriptions, "2025-01-16T12:00:00+02:00")).json()

    assert receipt["subscription"]["trialEndsAt"] == "2025-01-16T10:00:00Z"
    assert (await current(subscriptions))["trialEndsAt"] == "2025-01-16T10:00:00Z"


async def test_a_trial_ending_notice_for_a_paid_subscription_is_ignored(subscriptions: httpx.AsyncClient) -> None:
    await set_state(subscriptions, "a user has an active subscription")
    before = await current(subscriptions)

    receipt = (await trial_ending(subscriptions, "2025-01-15T00:00:00Z")).json()

    assert receipt["outcome"] == "IGNORED_NOT_TRIALING"
    assert await current(subscriptions) == before
    assert await notices(subscriptions) == []


async def test_a_redelivered_trial_ending_notice_is_recorded_once(subscriptions: httpx.AsyncClient) -> None:
    await set_state(subscriptions, "a user has a trialing subscription", trialEndsAt="2025-01-15T00:00:00Z")

    first = await trial_ending(subscriptions, "2025-01-15T00:00:00Z")
    again = await trial_ending(subscriptions, "2025-01-15T00:00:00Z")
    other_event_same_trial = await trial_ending(subscriptions, "2025-01-15T00:00:00Z", event_id="evt-t2")

    assert again.json() == first.json()
    assert other_event_same_trial.json()["outcome"] == "TRIAL_ENDING_RECORDED"
    assert await notices(subscriptions) == [("TRIAL_ENDING", "2025-01-15T00:00:00Z")]
