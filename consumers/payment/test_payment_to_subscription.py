"""What the payment service relies on from the subscription service: taking the gateway's failed renewals.

The payment service forwards the gateway's event as it came, event id included, and passes the
answer back to the gateway: 200 (applied, or already applied) stops redelivery; 404 and 409
mean the event cannot apply and are reported instead of retried.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from solo60.clients import (
    SubscriptionClient,
    UpstreamConflict,
    UpstreamNotFound,
    UpstreamUnauthorized,
    UpstreamValidationFailed,
)
from solo60.contracts.errors import ErrorCode
from solo60.contracts.subscription import (
    PaymentFailed,
    Subscription,
    SubscriptionStatus,
    WebhookOutcome,
    WebhookReceipt,
)
from solo60.harness.made.contract_test import ContractTest
from solo60.harness.made.matchers import error_body, shape_of

CONSUMER = "payment"
PROVIDER = "subscription"

WEBHOOK = "/internal/subscriptions/webhooks/payment-failed"

FAILED_RENEWAL = PaymentFailed(
    event_id="evt-payment-failed-1",
    subscription_id="sub-1",
    occurred_at=datetime(2025, 2, 1, 0, 5, tzinfo=UTC),
    failure_code="card_declined",
    failure_reason="The card was declined.",
    attempt=1,
    next_attempt_at=datetime(2025, 2, 4, 0, 5, tzinfo=UTC),
)
FAILED_RENEWAL_ON_THE_WIRE = {
    "eventId": "evt-payment-failed-1",
    "subscriptionId": "sub-1",
    "occurredAt": "2025-02-01T00:05:00Z",
    "failureCode": "card_declined",
    "failureReason": "The card was declined.",
    "attempt": 1,
    "nextAttemptAt": "2025-02-04T00:05:00Z",
}
SUBSCRIBER = {"userId": "123", "subscriptionId": "sub-1", "plan": "monthly-8", "creditsPerMonth": 8}
ALREADY_RECEIVED = {
    **SUBSCRIBER,
    "eventId": "evt-payment-failed-1",
    "occurredAt": "2025-02-01T00:05:00Z",
    "failureCode": "card_declined",
    "failureReason": "The card was declined.",
    "attempt": 1,
    "nextAttemptAt": "2025-02-04T00:05:00Z",
}

PAST_DUE = Subscription(
    id="sub-1",
    user_id="123",
    plan="monthly-8",
    status=SubscriptionStatus.PAST_DUE,
    credits_per_month=8,
    current_period_start=datetime(2025, 1, 1, tzinfo=UTC),
    current_period_end=datetime(2025, 2, 1, tzinfo=UTC),
    cancel_at_period_end=False,
    past_due_since=datetime(2025, 2, 1, 0, 5, tzinfo=UTC),
    created_at=datetime(2024, 12, 1, 9, 30, tzinfo=UTC),
    updated_at=datetime(2025, 2, 1, 0, 5, tzinfo=UTC),
)


def _receipt(outcome: WebhookOutcome, status: SubscriptionStatus, subscription: Subscription = PAST_DUE) -> dict:
    """The receipt's shape, with the outcome and the status it left pinned: the gateway is told what happened."""
    receipt = shape_of(WebhookReceipt(event_id="evt-payment-failed-1", outcome=outcome, subscription=subscription))
    return {
        **receipt,
        "eventId": "evt-payment-failed-1",
        "outcome": outcome.value,
        "subscription": {**receipt["subscription"], "status": status.value},
    }


async def test_a_failed_renewal_makes_an_active_subscription_past_due(contract: ContractTest) -> None:
    (
        contract.request("a failed renewal of an active subscription", "POST", WEBHOOK)
        .given("a user has an active subscription", **SUBSCRIBER)
        .with_body(FAILED_RENEWAL_ON_THE_WIRE, content_type="application/json")
        .will_respond_with(200)
        .with_body(
            _receipt(WebhookOutcome.MARKED_PAST_DUE, SubscriptionStatus.PAST_DUE), content_type="application/json"
        )
    )
    async with contract.client(SubscriptionClient) as subscriptions:
        receipt = await subscriptions.payment_failed(FAILED_RENEWAL)
    assert receipt.outcome is WebhookOutcome.MARKED_PAST_DUE
    assert receipt.subscription.status is SubscriptionStatus.PAST_DUE


async def test_a_redelivered_failure_gets_the_first_answer_and_changes_nothing(contract: ContractTest) -> None:
    (
        contract.request("a failed renewal the subscription service already received", "POST", WEBHOOK)
        .given("a payment failure was already received", **ALREADY_RECEIVED)
        .with_body(FAILED_RENEWAL_ON_THE_WIRE, content_type="application/json")
        .will_respond_with(200)
        .with_body(
            _receipt(WebhookOutcome.MARKED_PAST_DUE, SubscriptionStatus.PAST_DUE), content_type="application/json"
        )
    )
    async with contract.client(SubscriptionClient) as subscriptions:
        receipt = await subscriptions.payment_failed(FAILED_RENEWAL)
    assert receipt.outcome is WebhookOutcome.MARKED_PAST_DUE  # the first answer, not ALREADY_PAST_DUE


async def test_a_failure_of_an_ended_subscription_is_acknowledged_and_ignored(contract: ContractTest) -> None:
    cancelled = PAST_DUE.model_copy(
        update={"status": SubscriptionStatus.CANCELLED, "past_due_since": None, "cancelled_at": PAST_DUE.updated_at}
    )
    (
        contract.request("a failed renewal of a cancelled subscription", "POST", WEBHOOK)
        .given("a user has an ended subscription", **SUBSCRIBER, status="CANCELLED")
        .with_body(FAILED_RENEWAL_ON_THE_WIRE, content_type="application/json")
        .will_respond_with(200)
        .with_body(
            _receipt(WebhookOutcome.IGNORED_SUBSCRIPTION_ENDED, SubscriptionStatus.CANCELLED, cancelled),
            content_type="application/json",
        )
    )
    async with contract.client(SubscriptionClient) as subscriptions:
        receipt = await subscriptions.payment_failed(FAILED_RENEWAL)
    assert receipt.outcome is WebhookOutcome.IGNORED_SUBSCRIPTION_ENDED


async def test_an_event_id_redelivered_with_other_content_is_a_conflict(contract: ContractTest) -> None:
    (
        contract.request("a failed renewal reusing an event id with another attempt", "POST", WEBHOOK)
        .given("a payment failure was already received", **ALREADY_RECEIVED)
        .with_body({**FAILED_RENEWAL_ON_THE_WIRE, "attempt": 2}, content_type="application/json")
        .will_respond_with(409)
        .with_body(error_body(ErrorCode.CONFLICT), content_type="application/json")
    )
    async with contract.client(SubscriptionClient) as subscriptions:
        with pytest.raises(UpstreamConflict):
            await subscriptions.payment_failed(FAILED_RENEWAL.model_copy(update={"attempt": 2}))


async def test_a_failure_of_an_unknown_subscription_is_not_found(contract: ContractTest) -> None:
    (
        contract.request("a failed renewal of a subscription that does not exist", "POST", WEBHOOK)
        .given("a user has no subscription", userId="123")
        .with_body(FAILED_RENEWAL_ON_THE_WIRE, content_type="application/json")
        .will_respond_with(404)
        .with_body(error_body(ErrorCode.NOT_FOUND), content_type="application/json")
    )
    async with contract.client(SubscriptionClient) as subscriptions:
        with pytest.raises(UpstreamNotFound):
            await subscriptions.payment_failed(FAILED_RENEWAL)


async def test_an_event_with_an_impossible_attempt_number_is_refused_with_the_field_named(
    contract: ContractTest,
) -> None:
    (
        contract.request("a failed renewal with attempt 0", "POST", WEBHOOK)
        .given("a user has an active subscription", **SUBSCRIBER)
        .with_body({**FAILED_RENEWAL_ON_THE_WIRE, "attempt": 0}, content_type="application/json")
        .will_respond_with(400)
        .with_body(error_body(ErrorCode.VALIDATION_ERROR, with_details=True), content_type="application/json")
    )
    # A body the client did not validate, as a payment service on an older, looser contract would send.
    unchecked = PaymentFailed.model_construct(**{**FAILED_RENEWAL.model_dump(), "attempt": 0})
    async with contract.client(SubscriptionClient) as subscriptions:
        with pytest.raises(UpstreamValidationFailed) as refused:
            await subscriptions.payment_failed(unchecked)
    assert refused.value.details


async def test_forwarding_an_event_with_a_revoked_service_key_is_unauthorized(contract: ContractTest) -> None:
    (
        contract.request("a failed renewal with a revoked service key", "POST", WEBHOOK, authenticated=False)
        .given("a user has an active subscription", **SUBSCRIBER)
        .with_header("x-api-key", "a-revoked-key")
        .with_body(FAILED_RENEWAL_ON_THE_WIRE, content_type="application/json")
        .will_respond_with(401)
        .with_body(error_body(ErrorCode.UNAUTHORIZED), content_type="application/json")
    )
    async with contract.client(SubscriptionClient, api_key="a-revoked-key") as subscriptions:
        with pytest.raises(UpstreamUnauthorized):
            await subscriptions.payment_failed(FAILED_RENEWAL)
