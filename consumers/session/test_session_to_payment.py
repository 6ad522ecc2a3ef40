"""What the session service relies on from the payment service: paying for a booking, and getting it back.

A booking debits under the key `session-<session id>-debit`, so a retried booking never pays
twice; a refund leaves through the session outbox under `outbox-<message id>`, so a cancelled
session is paid back once however often the relay retries. After a 402 the booking reads the
balance to tell the member how many credits they are short.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pact import match

from solo60.clients import (
    Conflict,
    IdempotencyKeyReused,
    InsufficientCredits,
    PaymentClient,
    Unauthorized,
    ValidationFailed,
)
from solo60.contracts.errors import ErrorCode
from solo60.contracts.payment import CreditBalance, CreditTransaction, DebitCredits, RefundCredits, TransactionType
from solo60.harness.made.contract_test import ContractTest
from solo60.harness.made.matchers import error_body, idempotency_key, identifier, shape_of

CONSUMER = "session"
PROVIDER = "payment"

DEBIT = "/internal/payments/credits/debit"
REFUND = "/internal/payments/credits/refund"
DEBIT_KEY = "session-s-42-debit"
REFUND_KEY = "outbox-refund-1b4e28ba-2fa1-5d2e-8c3f-6a7b8c9d0e1f"
PAID_FOR = {"userId": "123", "sessionId": "s-42", "amount": 3, "balance": 7, "idempotencyKey": DEBIT_KEY}

DEBITED = CreditTransaction(
    id="9f1c2b7e-0d4a-4c55-8f63-2a7e1b0c9d11",
    user_id="123",
    type=TransactionType.DEBIT,
    amount=3,
    balance_after=7,
    session_id="s-42",
    created_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
)
REFUNDED = DEBITED.model_copy(update={"type": TransactionType.REFUND, "balance_after": 10})


def _for_the_session(amount: int = 3) -> DebitCredits:
    return DebitCredits(user_id="123", session_id="s-42", amount=amount)


def _by_type(amount: int = 3) -> dict:
    return {"userId": identifier("123"), "sessionId": identifier("s-42"), "amount": match.int(amount)}


async def test_booking_debits_the_slot_price(contract: ContractTest) -> None:
    (
        contract.request("a debit for a booking", "POST", DEBIT)
        .given("a user has credits", userId="123", balance=10)
        .with_header("Idempotency-Key", idempotency_key(DEBIT_KEY))
        .with_body(_by_type(), content_type="application/json")
        .will_respond_with(201)
        .with_body({**shape_of(DEBITED), "type": "DEBIT"}, content_type="application/json")
    )
    async with contract.client(PaymentClient) as payments:
        debit = await payments.debit_credits(_for_the_session(), idempotency_key=DEBIT_KEY)
    assert debit.type is TransactionType.DEBIT
    assert debit.session_id == "s-42"


async def test_booking_without_enough_credits_is_refused_as_payment_required(contract: ContractTest) -> None:
    (
        contract.request("a debit larger than the balance", "POST", DEBIT)
        .given("a user has credits", userId="123", balance=2)
        .with_header("Idempotency-Key", idempotency_key(DEBIT_KEY))
        .with_body({"userId": "123", "sessionId": "s-42", "amount": 3}, content_type="application/json")
        .will_respond_with(402)
        .with_body(error_body(ErrorCode.INSUFFICIENT_CREDITS), content_type="application/json")
    )
    async with contract.client(PaymentClient) as payments:
        with pytest.raises(InsufficientCredits):
            await payments.debit_credits(_for_the_session(), idempotency_key=DEBIT_KEY)


async def test_a_refused_booking_tells_the_member_their_balance(contract: ContractTest) -> None:
    (
        contract.request("a balance read after a refused debit", "GET", "/internal/payments/credits/123")
        .given("a user has credits", userId="123", balance=2)
        .will_respond_with(200)
        .with_body(shape_of(CreditBalance(user_id="123", balance=2)), content_type="application/json")
    )
    async with contract.client(PaymentClient) as payments:
        balance = await payments.get_balance("123")
    assert balance.balance == 2  # "costs 3 credits; user 123 has 2, 1 short"


async def test_a_retried_debit_gets_the_first_answer_and_charges_once(contract: ContractTest) -> None:
    """The balance left is the one after a single debit: 10 - 3, not 10 - 3 - 3."""
    (
        contract.request("a retried debit for a booking already paid", "POST", DEBIT)
        .given("a session was paid for", **PAID_FOR)
        .with_header("Idempotency-Key", DEBIT_KEY)
        .with_body({"userId": "123", "sessionId": "s-42", "amount": 3}, content_type="application/json")
        .will_respond_with(201)
        .with_body(
            {**shape_of(DEBITED), "type": "DEBIT", "amount": 3, "balanceAfter": 7}, content_type="application/json"
        )
    )
    async with contract.client(PaymentClient) as payments:
        debit = await payments.debit_credits(_for_the_session(), idempotency_key=DEBIT_KEY)
    assert debit.balance_after == 7


async def test_a_debit_key_reused_for_another_amount_is_refused(contract: ContractTest) -> None:
    (
        contract.request("a debit reusing a booking's key for another amount", "POST", DEBIT)
        .given("a session was paid for", **PAID_FOR)
        .with_header("Idempotency-Key", DEBIT_KEY)
        .with_body({"userId": "123", "sessionId": "s-42", "amount": 5}, content_type="application/json")
        .will_respond_with(422)
        .with_body(error_body(ErrorCode.IDEMPOTENCY_KEY_REUSED), content_type="application/json")
    )
    async with contract.client(PaymentClient) as payments:
        with pytest.raises(IdempotencyKeyReused):
            await payments.debit_credits(_for_the_session(amount=5), idempotency_key=DEBIT_KEY)


async def test_a_debit_of_no_credits_is_refused_with_the_field_named(contract: ContractTest) -> None:
    (
        contract.request("a debit of zero credits", "POST", DEBIT)
        .given("a user has credits", userId="123", balance=10)
        .with_header("Idempotency-Key", idempotency_key(DEBIT_KEY))
        .with_body({"userId": "123", "sessionId": "s-42", "amount": 0}, content_type="application/json")
        .will_respond_with(400)
        .with_body(error_body(ErrorCode.VALIDATION_ERROR, with_details=True), content_type="application/json")
    )
    # A body the client did not validate, as a session service on an older, looser contract would send.
    unchecked = DebitCredits.model_construct(user_id="123", session_id="s-42", amount=0)
    async with contract.client(PaymentClient) as payments:
        with pytest.raises(ValidationFailed) as refused:
            await payments.debit_credits(unchecked, idempotency_key=DEBIT_KEY)
    assert refused.value.details


async def test_cancelling_a_paid_session_refunds_its_credits(contract: ContractTest) -> None:
    (
        contract.request("a refund for a cancelled session", "POST", REFUND)
        .given("a session was paid for", **PAID_FOR)
        .with_header("Idempotency-Key", idempotency_key(REFUND_KEY))
        .with_body(_by_type(), content_type="application/json")
        .will_respond_with(201)
        .with_body({**shape_of(REFUNDED), "type": "REFUND"}, content_type="application/json")
    )
    async with contract.client(PaymentClient) as payments:
        refund = await payments.refund_credits(
            RefundCredits(user_id="123", session_id="s-42", amount=3), idempotency_key=REFUND_KEY
        )
    assert refund.type is TransactionType.REFUND
    assert refund.amount == 3


async def test_refunding_a_session_that_was_never_paid_for_is_a_conflict(contract: ContractTest) -> None:
    """A lapsed hold is refunded only if it was debited: the 409 is how session learns nothing was taken."""
    (
        contract.request("a refund for a session that was not paid for", "POST", REFUND)
        .given("a user has credits", userId="123", balance=10)
        .with_header("Idempotency-Key", idempotency_key(REFUND_KEY))
        .with_body({"userId": "123", "sessionId": "s-99", "amount": 3}, content_type="application/json")
        .will_respond_with(409)
        .with_body(error_body(ErrorCode.CONFLICT), content_type="application/json")
    )
    async with contract.client(PaymentClient) as payments:
        with pytest.raises(Conflict):
            await payments.refund_credits(
                RefundCredits(user_id="123", session_id="s-99", amount=3), idempotency_key=REFUND_KEY
            )


async def test_a_debit_with_a_revoked_service_key_is_unauthorized(contract: ContractTest) -> None:
    (
        contract.request("a debit with a revoked service key", "POST", DEBIT, authenticated=False)
        .given("a user has credits", userId="123", balance=10)
        .with_header("x-api-key", "a-revoked-key")
        .with_header("Idempotency-Key", idempotency_key(DEBIT_KEY))
        .with_body(_by_type(), content_type="application/json")
        .will_respond_with(401)
        .with_body(error_body(ErrorCode.UNAUTHORIZED), content_type="application/json")
    )
    async with contract.client(PaymentClient, api_key="a-revoked-key") as payments:
        with pytest.raises(Unauthorized):
            await payments.debit_credits(_for_the_session(), idempotency_key=DEBIT_KEY)
