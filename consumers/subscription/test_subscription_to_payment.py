"""What the subscription service relies on from the payment service: each period's credits, exactly once.

The allocation leaves through the subscription outbox with the Idempotency-Key
`outbox-subscription-<id>-credits-<period start>`, so a renewal run twice, or a relay retrying
after a timeout, gets the stored allocation back instead of crediting the period twice.
Each paid month is charged to the member's card first; a declined card is an answer, not an error.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pact import match

from solo60.clients import (
    PaymentClient,
    UpstreamConflict,
    UpstreamIdempotencyKeyReused,
    UpstreamUnauthorized,
    UpstreamValidationFailed,
)
from solo60.contracts.errors import ErrorCode
from solo60.contracts.payment import (
    AllocateCredits,
    Charge,
    ChargeCard,
    ChargeStatus,
    CreditTransaction,
    TransactionType,
)
from solo60.harness.made.contract_test import ContractTest
from solo60.harness.made.matchers import error_body, idempotency_key, identifier, shape_of, timestamp

CONSUMER = "subscription"
PROVIDER = "payment"

ALLOCATE = "/internal/payments/credits/allocate"
JANUARY = datetime(2025, 1, 1, tzinfo=UTC)
OLDER_KEY = "allocate-sub-1-2025-01"
JANUARY_KEY = "outbox-subscription-sub-1-credits-20250101T000000Z"
ALLOCATED_IN_JANUARY = {
    "userId": "123",
    "subscriptionId": "sub-1",
    "periodStart": "2025-01-01T00:00:00Z",
    "amount": 8,
    "balance": 0,
    "idempotencyKey": JANUARY_KEY,
}

ALLOCATION = CreditTransaction(
    id="9f1c2b7e-0d4a-4c55-8f63-2a7e1b0c9d11",
    user_id="123",
    type=TransactionType.ALLOCATION,
    amount=8,
    balance_after=8,
    subscription_id="sub-1",
    period_start=JANUARY,
    created_at=datetime(2025, 1, 1, 0, 0, 5, tzinfo=UTC),
)


CHARGES = "/internal/payments/charges"
JANUARY_CHARGE_KEY = "subscription-sub-1-period-20250101T000000Z"
CHARGED = Charge(
    id="3b7d9a40-5c2e-4f18-a0b6-6e2d8c1f4a55",
    user_id="123",
    amount_cents=4900,
    currency="EUR",
    status=ChargeStatus.SUCCEEDED,
    gateway_charge_id="sim_ch_5f0c1d2e3a4b",
    description="Solo60 Monthly 8, month from 1 January 2025",
    subscription_id="sub-1",
    created_at=datetime(2025, 1, 1, 0, 0, 1, tzinfo=UTC),
)
DECLINED = CHARGED.model_copy(
    update={
        "status": ChargeStatus.FAILED,
        "failure_code": "card_declined",
        "failure_reason": "The card was declined.",
        "gateway_charge_id": None,
    }
)


def _january_charge(card_token: str) -> ChargeCard:
    return ChargeCard(
        user_id="123",
        amount_cents=4900,
        currency="EUR",
        card_token=card_token,
        description="Solo60 Monthly 8, month from 1 January 2025",
        subscription_id="sub-1",
    )


def _january_charge_on_the_wire(card_token: str) -> dict:
    return {
        "userId": identifier("123"),
        "amountCents": match.int(4900),
        "currency": match.regex("EUR", regex=r"^[A-Z]{3}$"),
        "cardToken": card_token,
        "description": match.str("Solo60 Monthly 8, month from 1 January 2025"),
        "subscriptionId": identifier("sub-1"),
    }


def _january(amount: int = 8) -> AllocateCredits:
    return AllocateCredits(user_id="123", subscription_id="sub-1", period_start=JANUARY, amount=amount)


def _january_on_the_wire(amount: int = 8) -> dict:
    return {"userId": "123", "subscriptionId": "sub-1", "periodStart": "2025-01-01T00:00:00Z", "amount": amount}


async def test_a_paid_month_is_charged_to_the_members_card(contract: ContractTest) -> None:
    """The gateway accepts `tok_visa`: the month is paid and its credits can be allocated."""
    (
        contract.request("a card charge for a month of a plan", "POST", CHARGES)
        .with_header("Idempotency-Key", idempotency_key(JANUARY_CHARGE_KEY))
        .with_body(_january_charge_on_the_wire("tok_visa"), content_type="application/json")
        .will_respond_with(201)
        .with_body({**shape_of(CHARGED), "status": "SUCCEEDED"}, content_type="application/json")
    )
    async with contract.client(PaymentClient) as payments:
        charge = await payments.charge_card(_january_charge("tok_visa"), idempotency_key=JANUARY_CHARGE_KEY)
    assert charge.status is ChargeStatus.SUCCEEDED


async def test_a_declined_card_is_a_failed_charge_with_the_gateways_reason(contract: ContractTest) -> None:
    """The gateway declines `tok_chargeDeclined`: the subscription goes past due and the member is told why."""
    (
        contract.request("a card charge the gateway declines", "POST", CHARGES)
        .with_header("Idempotency-Key", idempotency_key(JANUARY_CHARGE_KEY))
        .with_body(_january_charge_on_the_wire("tok_chargeDeclined"), content_type="application/json")
        .will_respond_with(201)
        .with_body({**shape_of(DECLINED), "status": "FAILED"}, content_type="application/json")
    )
    async with contract.client(PaymentClient) as payments:
        charge = await payments.charge_card(_january_charge("tok_chargeDeclined"), idempotency_key=JANUARY_CHARGE_KEY)
    assert charge.status is ChargeStatus.FAILED
    assert charge.failure_code == "card_declined"


async def test_a_new_period_allocates_the_plans_monthly_credits(contract: ContractTest) -> None:
    (
        contract.request("a monthly credit allocation", "POST", ALLOCATE)
        .given("a user has no credits", userId="123")
        .with_header("Idempotency-Key", idempotency_key(JANUARY_KEY))
        .with_body(
            {
                "userId": identifier("123"),
                "subscriptionId": identifier("sub-1"),
                "periodStart": timestamp("2025-01-01T00:00:00Z"),
                "amount": match.int(8),
            },
            content_type="application/json",
        )
        .will_respond_with(201)
        .with_body({**shape_of(ALLOCATION), "type": "ALLOCATION"}, content_type="application/json")
    )
    async with contract.client(PaymentClient) as payments:
        allocation = await payments.allocate_credits(_january(), idempotency_key=JANUARY_KEY)
    assert allocation.type is TransactionType.ALLOCATION
    assert allocation.period_start == JANUARY  # the renewal records which period was paid


async def test_a_replayed_allocation_gets_the_stored_result_and_pays_once(contract: ContractTest) -> None:
    """From a balance of 0, a single allocation of 8 leaves 8; paying twice would leave 16 (or be refused)."""
    (
        contract.request("a replay of a monthly credit allocation", "POST", ALLOCATE)
        .given("credits were allocated for a period", **ALLOCATED_IN_JANUARY)
        .with_header("Idempotency-Key", JANUARY_KEY)
        .with_body(_january_on_the_wire(), content_type="application/json")
        .will_respond_with(201)
        .with_body(
            {**shape_of(ALLOCATION), "type": "ALLOCATION", "amount": 8, "balanceAfter": 8},
            content_type="application/json",
        )
    )
    async with contract.client(PaymentClient) as payments:
        allocation = await payments.allocate_credits(_january(), idempotency_key=JANUARY_KEY)
    assert allocation.balance_after == 8


async def test_a_second_allocation_for_a_period_under_another_key_is_a_conflict(contract: ContractTest) -> None:
    """A period is credited once even when a release that keyed allocations differently asks again."""
    (
        contract.request("a second allocation for an allocated period", "POST", ALLOCATE)
        .given("credits were allocated for a period", **ALLOCATED_IN_JANUARY)
        .with_header("Idempotency-Key", idempotency_key(OLDER_KEY))
        .with_body(_january_on_the_wire(), content_type="application/json")
        .will_respond_with(409)
        .with_body(error_body(ErrorCode.CONFLICT), content_type="application/json")
    )
    async with contract.client(PaymentClient) as payments:
        with pytest.raises(UpstreamConflict):
            await payments.allocate_credits(_january(), idempotency_key=OLDER_KEY)


async def test_an_allocation_key_reused_for_another_amount_is_refused(contract: ContractTest) -> None:
    (
        contract.request("an allocation reusing a period's key for another amount", "POST", ALLOCATE)
        .given("credits were allocated for a period", **ALLOCATED_IN_JANUARY)
        .with_header("Idempotency-Key", JANUARY_KEY)
        .with_body(_january_on_the_wire(amount=12), content_type="application/json")
        .will_respond_with(422)
        .with_body(error_body(ErrorCode.IDEMPOTENCY_KEY_REUSED), content_type="application/json")
    )
    async with contract.client(PaymentClient) as payments:
        with pytest.raises(UpstreamIdempotencyKeyReused):
            await payments.allocate_credits(_january(amount=12), idempotency_key=JANUARY_KEY)


async def test_an_allocation_of_no_credits_is_refused_with_the_field_named(contract: ContractTest) -> None:
    (
        contract.request("an allocation of zero credits", "POST", ALLOCATE)
        .given("a user has no credits", userId="123")
        .with_header("Idempotency-Key", idempotency_key(JANUARY_KEY))
        .with_body(_january_on_the_wire(amount=0), content_type="application/json")
        .will_respond_with(400)
        .with_body(error_body(ErrorCode.VALIDATION_ERROR, with_details=True), content_type="application/json")
    )
    # A body the client did not validate, as a subscription service on an older, looser contract would send.
    unchecked = AllocateCredits.model_construct(user_id="123", subscription_id="sub-1", period_start=JANUARY, amount=0)
    async with contract.client(PaymentClient) as payments:
        with pytest.raises(UpstreamValidationFailed) as refused:
            await payments.allocate_credits(unchecked, idempotency_key=JANUARY_KEY)
    assert refused.value.details


async def test_an_allocation_with_a_revoked_service_key_is_unauthorized(contract: ContractTest) -> None:
    (
        contract.request(
            "a monthly credit allocation with a revoked service key", "POST", ALLOCATE, authenticated=False
        )
        .given("a user has no credits", userId="123")
        .with_header("x-api-key", "a-revoked-key")
        .with_header("Idempotency-Key", idempotency_key(JANUARY_KEY))
        .with_body(_january_on_the_wire(), content_type="application/json")
        .will_respond_with(401)
        .with_body(error_body(ErrorCode.UNAUTHORIZED), content_type="application/json")
    )
    async with contract.client(PaymentClient, api_key="a-revoked-key") as payments:
        with pytest.raises(UpstreamUnauthorized):
            await payments.allocate_credits(_january(), idempotency_key=JANUARY_KEY)
