"""Reminders ahead of a date, on the subscription database: due from exactly the lead time before it, queued once."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa

from solo60.services.kit.database import Database
from solo60.services.subscription import storage
from solo60.services.subscription.due_jobs import run_due
from tests.helpers import set_state

SECOND = timedelta(seconds=1)
RENEWAL = datetime.fromisoformat("2031-03-01T00:00:00Z")
TRIAL_END = datetime.fromisoformat("2031-03-15T00:00:00Z")


def database(subscriptions: httpx.AsyncClient) -> Database:
    return subscriptions.app.state.runtime.db  # type: ignore[attr-defined]


async def events(subscriptions: httpx.AsyncClient) -> list[str]:
    """The events recorded for the member (the communication service mails them)."""
    async with database(subscriptions).read() as session:
        payloads = (await session.execute(sa.select(storage.outbox.c.payload))).scalars().all()
    return sorted(payload["name"] for payload in payloads if "name" in payload)


async def reminded(subscriptions: httpx.AsyncClient, now: datetime) -> list[tuple[str, str]]:
    return [(result.job, result.outcome) for result in await run_due(database(subscriptions), None, now=now)]


async def renewing(subscriptions: httpx.AsyncClient, **params: object) -> None:
    await set_state(
        subscriptions,
        "a user has an active subscription",
        currentPeriodStart="2031-02-01T00:00:00Z",
        currentPeriodEnd="2031-03-01T00:00:00Z",
        cardToken="tok_visa",
        **params,
    )


async def test_a_renewal_reminder_is_due_exactly_seven_days_ahead(subscriptions: httpx.AsyncClient) -> None:
    await renewing(subscriptions)

    assert await reminded(subscriptions, RENEWAL - timedelta(days=7) - SECOND) == []
    assert await reminded(subscriptions, RENEWAL - timedelta(days=7)) == [("renewal reminder", "sent")]
    assert await reminded(subscriptions, RENEWAL - timedelta(days=7)) == []
    assert await events(subscriptions) == ["subscription.renewal_due"]


async def test_a_missed_day_is_caught_up_until_the_renewal_itself(subscriptions: httpx.AsyncClient) -> None:
    await renewing(subscriptions)

    assert await reminded(subscriptions, RENEWAL - SECOND) == [("renewal reminder", "sent")]


@pytest.mark.parametrize(
    ("state", "params"),
    [
        ("a user has an active subscription", {"cancelAtPeriodEnd": True, "cardToken": "tok_visa"}),
        ("a user has an active subscription", {}),  # no card on file: it will expire, not renew
        ("a user has a past-due subscription", {"cardToken": "tok_visa"}),
        ("a user has an ended subscription", {"cardToken": "tok_visa"}),
    ],
)
async def test_no_renewal_reminder_for_a_subscription_that_will_not_renew(
    subscriptions: httpx.AsyncClient, state: str, params: dict
) -> None:
    await set_state(
        subscriptions,
        state,
        currentPeriodStart="2031-02-01T00:00:00Z",
        currentPeriodEnd="2031-03-01T00:00:00Z",
        **params,
    )

    assert await reminded(subscriptions, RENEWAL - timedelta(days=2)) == []
    assert await events(subscriptions) == []


async def test_a_trial_ending_warning_is_due_exactly_three_days_ahead(subscriptions: httpx.AsyncClient) -> None:
    await set_state(subscriptions, "a user has a trialing subscription", trialEndsAt="2031-03-15T00:00:00Z")

    assert await reminded(subscriptions, TRIAL_END - timedelta(days=3) - SECOND) == []
    assert await reminded(subscriptions, TRIAL_END - timedelta(days=3)) == [("trial ending", "sent")]
    assert await reminded(subscriptions, TRIAL_END - SECOND) == []
    assert await events(subscriptions) == ["subscription.trial_ending"]


async def test_a_cancelled_trial_gets_no_trial_ending_warning(subscriptions: httpx.AsyncClient) -> None:
    await set_state(subscriptions, "a user has a trialing subscription", trialEndsAt="2031-03-15T00:00:00Z")
    await subscriptions.post("/internal/subscriptions/sub-1/cancel")

    assert await reminded(subscriptions, TRIAL_END - timedelta(days=1)) == []


async def test_runners_racing_each_other_queue_one_reminder(subscriptions: httpx.AsyncClient) -> None:
    await renewing(subscriptions)
    url = database(subscriptions).url
    runners = [Database(url, migrations="unused") for _ in range(4)]
    try:
        reports = await asyncio.gather(*(run_due(db, None, now=RENEWAL - timedelta(days=3)) for db in runners))
    finally:
        for db in runners:
            await db.dispose()

    outcomes = [result.outcome for report in reports for result in report]
    assert outcomes.count("sent") == 1
    assert set(outcomes) <= {"sent", "already sent"}
    assert await events(subscriptions) == ["subscription.renewal_due"]


async def test_the_gateways_trial_notice_and_the_runner_send_one_warning_between_them(
    subscriptions: httpx.AsyncClient,
) -> None:
    await set_state(subscriptions, "a user has a trialing subscription", trialEndsAt="2031-03-15T00:00:00Z")
    event = {
        "eventId": "evt-t1",
        "subscriptionId": "sub-1",
        "trialEndsAt": "2031-03-15T00:00:00Z",
        "occurredAt": "2031-03-12T00:00:00Z",
    }

    assert (await subscriptions.post("/internal/subscriptions/webhooks/trial-ending", json=event)).status_code == 200
    assert await reminded(subscriptions, TRIAL_END - timedelta(days=2)) == []
    assert await events(subscriptions) == ["subscription.trial_ending"]


async def test_a_dry_run_lists_what_is_due_and_changes_nothing(subscriptions: httpx.AsyncClient) -> None:
    await renewing(subscriptions)

    listed = await run_due(database(subscriptions), None, now=RENEWAL - timedelta(days=7), dry_run=True)

    assert [(result.job, result.outcome) for result in listed] == [("renewal reminder", "would send")]
    assert await events(subscriptions) == []
    assert await reminded(subscriptions, RENEWAL - timedelta(days=7)) == [("renewal reminder", "sent")]
