"""The gateway's events as the payment service receives them: kept once, answered at once, refused when malformed.

Here the subscription service is configured but not running, so every event waits to be
forwarded; forwarding across the real services is in tests/flows/payment/.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.helpers import assert_error

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


def nowhere() -> str:
    """The URL of a port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


@pytest.fixture
async def payment(serve) -> AsyncIterator[httpx.AsyncClient]:
    environ = {"SUBSCRIPTION_SERVICE_URL": nowhere(), "SOLO60_CLIENT_RETRY_ATTEMPTS": "1", "OUTBOX_IDLE_SECONDS": "60"}
    async with serve("payment", environ=environ) as client:
        yield client


async def test_an_event_is_kept_and_answered_at_once_while_its_forwarding_waits(payment: httpx.AsyncClient) -> None:
    received = await payment.post(EVENTS, json=FAILED_RENEWAL)

    assert received.status_code == 202, received.text
    receipt = received.json()
    assert (receipt["eventId"], receipt["type"], receipt["subscriptionId"]) == (
        "evt_1Q2w3E4r",
        "RENEWAL_FAILED",
        "sub-1",
    )
    assert receipt["forwarding"] == "PENDING"
    assert receipt["receivedAt"].endswith("Z")
    read = await payment.get(f"{EVENTS}/evt_1Q2w3E4r")
    assert read.status_code == 200
    assert read.json()["receivedAt"] == receipt["receivedAt"]


async def test_a_redelivery_gets_the_first_receipt_and_other_content_under_the_same_id_is_refused(
    payment: httpx.AsyncClient,
) -> None:
    first = (await payment.post(EVENTS, json=FAILED_RENEWAL)).json()

    again = await payment.post(EVENTS, json=FAILED_RENEWAL)
    other = await payment.post(EVENTS, json={**FAILED_RENEWAL, "attempt": 2})

    assert again.status_code == 202
    assert again.json()["receivedAt"] == first["receivedAt"]
    assert "evt_1Q2w3E4r" in assert_error(other, 409, "CONFLICT").message


async def test_without_the_subscription_service_configured_an_event_is_refused_with_503_and_not_kept(serve) -> None:
    async with serve("payment") as payment:
        refused = await payment.post(EVENTS, json=FAILED_RENEWAL)

        assert "SUBSCRIPTION_SERVICE_URL" in assert_error(refused, 503, "UPSTREAM_UNAVAILABLE").message
        assert_error(await payment.get(f"{EVENTS}/evt_1Q2w3E4r"), 404, "NOT_FOUND")


@pytest.mark.parametrize(
    "event",
    [
        {**FAILED_RENEWAL, "type": "CHARGE_SUCCEEDED"},
        {**FAILED_RENEWAL, "eventId": "../../etc"},
        {**FAILED_RENEWAL, "occurredAt": "yesterday"},
        {**FAILED_RENEWAL, "attempt": 0},
        {**FAILED_RENEWAL, "failureReason": "x" * 501},
        {key: value for key, value in FAILED_RENEWAL.items() if key != "subscriptionId"},
        {**FAILED_RENEWAL, "extra": True},
    ],
    ids=["unknown-type", "bad-id", "bad-time", "attempt-0", "long-reason", "no-subscription", "unknown-field"],
)
async def test_a_malformed_event_is_refused_with_400_and_not_kept(payment: httpx.AsyncClient, event: dict) -> None:
    assert_error(await payment.post(EVENTS, json=event), 400, "VALIDATION_ERROR")
    assert_error(await payment.get(f"{EVENTS}/evt_1Q2w3E4r"), 404, "NOT_FOUND")


async def test_an_event_never_received_is_not_found(payment: httpx.AsyncClient) -> None:
    body = assert_error(await payment.get(f"{EVENTS}/evt-unknown"), 404, "NOT_FOUND")
    assert "evt-unknown" in body.message
