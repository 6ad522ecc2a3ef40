"""The gateway's failed renewal, received by payment and passed on to subscription: once, and never lost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from solo60.services.payment.storage import outbox
from tests.flows.payment.conftest import FORWARDING_SERVICES
from tests.flows.session.stack import ReservedPort, Stack, eventually, stack_of

EVENTS = "/internal/payments/gateway-events"
FAILED_RENEWAL: dict[str, Any] = {
    "eventId": "evt_1Q2w3E4r",
    "type": "RENEWAL_FAILED",
    "subscriptionId": "sub-1",
    "occurredAt": "2025-02-01T00:05:00Z",
    "failureCode": "card_declined",
    "failureReason": "The card was declined.",
    "attempt": 1,
    "nextAttemptAt": "2025-02-04T00:05:00Z",
}


async def subscription_of(stack: Stack, user_id: str = "123") -> dict[str, Any]:
    response = await stack["subscription"].get(f"/internal/subscriptions/by-user/{user_id}")
    assert response.status_code == 200, response.text
    return response.json()["subscription"]


async def forwarding(stack: Stack, event_id: str, status: str) -> dict[str, Any]:
    """The event's receipt once its forwarding reached `status`."""

    async def reached() -> dict[str, Any] | None:
        receipt = (await stack["payment"].get(f"{EVENTS}/{event_id}")).json()
        return receipt if receipt["forwarding"] == status else None

    return await eventually(reached, what=f"the forwarding of {event_id} to be {status}")


async def test_a_failed_renewal_makes_the_subscription_past_due_once_however_often_it_arrives(
    tmp_path: Path, database_urls: dict[str, str]
) -> None:
    async with stack_of(FORWARDING_SERVICES, data_dir=tmp_path, database_urls=database_urls) as stack:
        await stack.state("subscription", "a user has an active subscription", userId="123", subscriptionId="sub-1")

        received = await stack["payment"].post(EVENTS, json=FAILED_RENEWAL)
        assert received.status_code == 202, received.text
        receipt = await forwarding(stack, "evt_1Q2w3E4r", "FORWARDED")
        redelivered = await stack["payment"].post(EVENTS, json=FAILED_RENEWAL)

        subscription = await subscription_of(stack)
        assert subscription["status"] == "PAST_DUE"
        assert subscription["pastDueSince"] == "2025-02-01T00:05:00Z"
        assert (receipt["forwardAttempts"], receipt["lastError"]) == (1, None)
        assert redelivered.status_code == 202
        assert redelivered.json() == receipt
        forwarded = await stack.rows("payment", sa.select(outbox.c.id, outbox.c.attempts))
        assert [row.attempts for row in forwarded] == [1]


async def test_an_event_received_while_subscription_is_down_is_forwarded_once_it_is_back(tmp_path: Path) -> None:
    async with stack_of(
        ("subscription",), data_dir=tmp_path
    ) as earlier:  # it knew the subscription before it went down
        await earlier.state("subscription", "a user has an active subscription", userId="123", subscriptionId="sub-1")
    subscription = ReservedPort()
    environ = {"SUBSCRIPTION_SERVICE_URL": subscription.url}
    async with stack_of(("payment",), data_dir=tmp_path, environ=environ) as stack:
        assert (await stack["payment"].post(EVENTS, json=FAILED_RENEWAL)).status_code == 202

        async def retried() -> dict[str, Any] | None:
            receipt = (await stack["payment"].get(f"{EVENTS}/evt_1Q2w3E4r")).json()
            return receipt if receipt["forwardAttempts"] >= 2 and receipt["lastError"] else None

        waiting = await eventually(retried, what="the forwarding to be retried")
        assert waiting["forwarding"] == "PENDING"

        async with stack_of(
            ("subscription",), data_dir=tmp_path, environ=stack.environ, ports={"subscription": subscription.release()}
        ):
            await forwarding(stack, "evt_1Q2w3E4r", "FORWARDED")
            assert (await subscription_of(stack))["status"] == "PAST_DUE"


async def test_an_event_about_an_unknown_subscription_is_given_up_with_the_reason_kept(tmp_path: Path) -> None:
    async with stack_of(FORWARDING_SERVICES, data_dir=tmp_path) as stack:
        await stack["payment"].post(EVENTS, json={**FAILED_RENEWAL, "subscriptionId": "sub-404"})

        receipt = await forwarding(stack, "evt_1Q2w3E4r", "FAILED")

        assert receipt["forwardAttempts"] == 1
        assert "sub-404" in receipt["lastError"]
