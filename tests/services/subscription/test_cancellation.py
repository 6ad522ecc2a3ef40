"""Cancelling a subscription: at the end of the period, once; an ended one cannot be cancelled."""

from __future__ import annotations

import httpx
import pytest

from tests.helpers import assert_error, set_state


async def test_a_cancelled_subscription_runs_to_the_end_of_its_period(subscriptions: httpx.AsyncClient) -> None:
    seeded = await set_state(subscriptions, "a user has an active subscription", subscriptionId="sub-1")

    first = await subscriptions.post("/internal/subscriptions/sub-1/cancel")
    again = await subscriptions.post("/internal/subscriptions/sub-1/cancel")

    assert first.status_code == 200, first.text
    cancelled = first.json()
    assert (cancelled["status"], cancelled["cancelAtPeriodEnd"], cancelled["cancelledAt"]) == ("ACTIVE", True, None)
    assert cancelled["currentPeriodEnd"] == seeded["currentPeriodEnd"]
    assert again.json() == cancelled


async def test_an_unknown_subscription_is_not_found(subscriptions: httpx.AsyncClient) -> None:
    assert (
        "nope"
        in assert_error(await subscriptions.post("/internal/subscriptions/nope/cancel"), 404, "NOT_FOUND").message
    )


@pytest.mark.parametrize("status", ["CANCELLED", "EXPIRED"])
async def test_an_ended_subscription_cannot_be_cancelled(subscriptions: httpx.AsyncClient, status: str) -> None:
    await set_state(subscriptions, "a user has an ended subscription", subscriptionId="sub-1", status=status)

    response = await subscriptions.post("/internal/subscriptions/sub-1/cancel")

    assert status in assert_error(response, 409, "CONFLICT").message


async def test_a_hostile_id_is_refused(subscriptions: httpx.AsyncClient) -> None:
    assert_error(await subscriptions.post("/internal/subscriptions/%00x/cancel"), 400, "VALIDATION_ERROR")
