"""What the session service relies on from the payment service: paying for a booking, and getting it back.

A booking debits under the key `session-<session id>-debit`, so a retried booking never pays
twice; a refund leaves through the session outbox under `outbox-<message id>`, so a cancelled
session is paid back once however often the relay retries. After a 402 the booking reads the
balance to tell the member how many credits they are short.

The booking tests run session's own booking (`booking.book`): it checks Ada with the live user
service, prices the slot with the live gym service (10 credits an hour off-peak), holds it,
and debits the payment service through the generated client pointed at the mock; the
refunds are queued by session's follow-ups and sent by its relay handler. The retry, key
reuse and zero-debit interactions record what payment guarantees for a retried or broken
caller, sent as such a caller would send them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from pact import match

from consumers.session.examples import ADA, GYM, STARTS_AT, a_session, upstreams
from solo60.clients import (
    PaymentClient,
    UpstreamIdempotencyKeyReused,
    UpstreamValidationFailed,
)
from solo60.contracts.errors import ErrorCode
from solo60.contracts.payment import CreditBalance, CreditTransaction, DebitCredits, TransactionType
from solo60.contracts.session import BookSession
from solo60.harness.made.consumer_database import deliver, queued_calls
from solo60.harness.made.contract_test import ContractTest
from solo60.harness.made.matchers import error_body, idempotency_key, identifier, like_json, shape_of
from solo60.harness.made.neighbours import Neighbours
from solo60.services import kit
from solo60.services.kit.database import Database
from solo60.services.kit.events.memory import InProcessBus
from solo60.services.session import booking, deliveries, follow_ups, storage
from solo60.services.session.config import FlowConfig

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


PRICE = 10
UNUSED_BUS = InProcessBus("session-consumer-tests")
"""The relay's event target is not what these tests drive: refunds go to the payment service."""
"""What the live gym service charges for Ada's hour (off-peak, 10 credits an hour)."""
BOOKING = BookSession(user_id=ADA["userId"], gym_id=GYM["gymId"], starts_at=STARTS_AT, duration_minutes=60)


def _for_the_session(amount: int = 3) -> DebitCredits:
    return DebitCredits(user_id="123", session_id="s-42", amount=amount)


def _by_type(amount: int = 3) -> dict:
    return {"userId": identifier("123"), "sessionId": identifier("s-42"), "amount": match.int(amount)}


def _booking_runtime(db: Database, neighbours: Neighbours, payments: PaymentClient) -> SimpleNamespace:
    """What `booking.book` uses of session's runtime: its database, its upstreams, its settings, its relay."""
    return SimpleNamespace(
        db=db,
        upstreams=upstreams(neighbours, payment=payments),
        config=FlowConfig(),
        relay=SimpleNamespace(wake=lambda: None),
    )


def _debit_of_the_booking(description: str, balance: int) -> dict:
    """The debit session's booking sends: the member, the held session (a new id per booking), the gym's price."""
    return {
        "description": description,
        "state": {"userId": ADA["userId"], "balance": balance},
        "key": idempotency_key(booking.debit_key("9b2f6c1e-4d7a-4e0b-8f3c-2a1d5e6f7a8b")),
        "body": {"userId": identifier(ADA["userId"]), "sessionId": identifier("9b2f6c1e"), "amount": match.int(PRICE)},
    }


async def test_booking_debits_the_slot_price(
    contract: ContractTest, session_db: Database, neighbours: Neighbours
) -> None:
    debit = _debit_of_the_booking("a debit for a booking", balance=10)
    paid = DEBITED.model_copy(update={"amount": PRICE, "balance_after": 0})
    (
        contract.request(debit["description"], "POST", DEBIT)
        .given("a user has credits", **debit["state"])
        .with_header("Idempotency-Key", debit["key"])
        .with_body(debit["body"], content_type="application/json")
        .will_respond_with(201)
        .with_body({**shape_of(paid), "type": "DEBIT"}, content_type="application/json")
    )
    async with contract.client(PaymentClient) as payments:
        reply = await booking.book(_booking_runtime(session_db, neighbours, payments), BOOKING, "booking-1")
    assert reply.status == 201
    assert reply.body.status == "CONFIRMED"
    assert reply.body.price_credits == PRICE


async def test_booking_without_enough_credits_tells_the_member_how_many_they_are_short(
    contract: ContractTest, session_db: Database, neighbours: Neighbours
) -> None:
    """A 402 releases the hold, then the balance read says by how much the member is short."""
    debit = _debit_of_the_booking("a debit larger than the balance", balance=2)
    (
        contract.request(debit["description"], "POST", DEBIT)
        .given("a user has credits", **debit["state"])
        .with_header("Idempotency-Key", debit["key"])
        .with_body(debit["body"], content_type="application/json")
        .will_respond_with(402)
        .with_body(error_body(ErrorCode.INSUFFICIENT_CREDITS), content_type="application/json")
    )
    (
        contract.request("a balance read after a refused debit", "GET", "/internal/payments/credits/123")
        .given("a user has credits", userId="123", balance=2)
        .will_respond_with(200)
        .with_body(shape_of(CreditBalance(user_id="123", balance=2)), content_type="application/json")
    )
    async with contract.client(PaymentClient) as payments:
        with pytest.raises(kit.InsufficientCredits) as refused:
            await booking.book(_booking_runtime(session_db, neighbours, payments), BOOKING, "booking-1")
    assert f"costs {PRICE} credits; user '123' has 2, 8 short" in str(refused.value)
    async with session_db.read() as session:
        assert await storage.find_booking_request(session, "booking-1") is None  # the hold is released


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
        with pytest.raises(UpstreamIdempotencyKeyReused):
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
        with pytest.raises(UpstreamValidationFailed) as refused:
            await payments.debit_credits(unchecked, idempotency_key=DEBIT_KEY)
    assert refused.value.details


async def _refund_goes_out(
    contract: ContractTest, db: Database, neighbours: Neighbours, description: str, state: dict, status: int, body: dict
) -> None:
    """Declare the refund session's follow-ups queued, as queued, answered `status`; its relay handler sends it."""
    (call,) = await queued_calls(db, storage.outbox, follow_ups.REFUND_CREDITS)
    sent = {name: call.payload[name] for name in ("userId", "sessionId", "amount")}
    (
        contract.request(description, "POST", REFUND)
        .given(state.pop("state"), **state)
        .with_header("Idempotency-Key", idempotency_key(call.key))
        .with_body(like_json(sent), content_type="application/json")
        .will_respond_with(status)
        .with_body(body, content_type="application/json")
    )
    async with contract.client(PaymentClient) as payments:
        handlers = deliveries.handlers(db, upstreams(neighbours, payment=payments), UNUSED_BUS, wake=lambda: None)
        await deliver(db, storage.outbox, call, handlers)


async def test_cancelling_a_paid_session_refunds_its_credits(
    contract: ContractTest, session_db: Database, neighbours: Neighbours
) -> None:
    row = a_session(price_credits=3)
    async with session_db.write() as session:
        await follow_ups.after_cancellation(session, row, guests_were_invited=False, reason=None)
    paid_for = {"userId": row.user_id, "sessionId": row.id, "amount": 3, "balance": 7, "idempotencyKey": DEBIT_KEY}
    refunded = REFUNDED.model_copy(update={"session_id": row.id})
    await _refund_goes_out(
        contract, session_db, neighbours, "a refund for a cancelled session",
        {"state": "a session was paid for", **paid_for}, 201, {**shape_of(refunded), "type": "REFUND"},
    )  # fmt: skip


async def test_a_lapsed_hold_never_paid_for_is_refunded_only_if_debited_and_a_conflict_ends_it(
    contract: ContractTest, session_db: Database, neighbours: Neighbours
) -> None:
    """A lapsed hold is refunded only if it was debited: the 409 is how session learns nothing was taken,
    and its relay handler then counts the refund as done, not as a failure to retry."""
    async with session_db.write() as session:
        await follow_ups.refund_credits(
            session, ADA["userId"], "s-99", 3, purpose="lapsed-hold-refund", only_if_debited=True
        )
    await _refund_goes_out(
        contract, session_db, neighbours, "a refund for a session that was not paid for",
        {"state": "a user has credits", "userId": "123", "balance": 10}, 409, error_body(ErrorCode.CONFLICT),
    )  # fmt: skip
    assert await queued_calls(session_db, storage.outbox) == []


async def test_a_booking_with_a_revoked_service_key_is_unauthorized_and_books_nothing(
    contract: ContractTest, session_db: Database, neighbours: Neighbours
) -> None:
    """Payment refusing session's key is an outage to the member (503), and the hold is released."""
    debit = _debit_of_the_booking("a debit with a revoked service key", balance=10)
    (
        contract.request(debit["description"], "POST", DEBIT, authenticated=False)
        .given("a user has credits", **debit["state"])
        .with_header("x-api-key", "a-revoked-key")
        .with_header("Idempotency-Key", debit["key"])
        .with_body(debit["body"], content_type="application/json")
        .will_respond_with(401)
        .with_body(error_body(ErrorCode.UNAUTHORIZED), content_type="application/json")
    )
    async with contract.client(PaymentClient, api_key="a-revoked-key") as payments:
        with pytest.raises(kit.DependencyUnavailable):
            await booking.book(_booking_runtime(session_db, neighbours, payments), BOOKING, "booking-1")
    async with session_db.read() as session:
        assert await storage.find_booking_request(session, "booking-1") is None
