"""Credit balances and their ledger: debits, refunds and monthly allocations, as the routes show them."""

from __future__ import annotations

import asyncio

import httpx
import sqlalchemy as sa

from solo60.services.payment.storage import CreditTransactionRow
from tests.helpers import assert_error, set_state

DEBIT = "/internal/payments/credits/debit"
REFUND = "/internal/payments/credits/refund"
ALLOCATE = "/internal/payments/credits/allocate"
JANUARY = "2025-01-01T00:00:00Z"
FEBRUARY = "2025-02-01T00:00:00Z"


async def debit(payment: httpx.AsyncClient, key: str, amount: int = 3, session: str = "s-1", user: str = "123"):
    body = {"userId": user, "sessionId": session, "amount": amount}
    return await payment.post(DEBIT, json=body, headers={"Idempotency-Key": key})


async def refund(payment: httpx.AsyncClient, key: str, amount: int = 3, session: str = "s-1", user: str = "123"):
    body = {"userId": user, "sessionId": session, "amount": amount}
    return await payment.post(REFUND, json=body, headers={"Idempotency-Key": key})


async def allocate(
    payment: httpx.AsyncClient, key: str, period: str = JANUARY, amount: int = 8, subscription: str = "sub-1"
):
    body = {"userId": "123", "subscriptionId": subscription, "periodStart": period, "amount": amount}
    return await payment.post(ALLOCATE, json=body, headers={"Idempotency-Key": key})


async def balance(payment: httpx.AsyncClient, user: str = "123") -> int:
    response = await payment.get(f"/internal/payments/credits/{user}")
    assert response.status_code == 200, response.text
    return response.json()["balance"]


async def ledger_entries(payment: httpx.AsyncClient, user: str = "123") -> int:
    async with payment.app.state.runtime.db.read() as session:  # type: ignore[attr-defined]
        count = sa.select(sa.func.count()).select_from(CreditTransactionRow).where(CreditTransactionRow.user_id == user)
        return await session.scalar(count)


async def test_a_user_the_service_never_saw_has_a_balance_of_zero(payment: httpx.AsyncClient) -> None:
    response = await payment.get("/internal/payments/credits/newcomer")

    assert response.status_code == 200
    assert response.json() == {"userId": "newcomer", "balance": 0, "updatedAt": None}


async def test_a_debit_takes_the_credits_and_says_what_it_left(payment: httpx.AsyncClient) -> None:
    await set_state(payment, "a user has credits", userId="123", balance=10)

    response = await debit(payment, "booking-1", amount=3, session="s-1")

    assert response.status_code == 201, response.text
    entry = response.json()
    assert (entry["type"], entry["amount"], entry["balanceAfter"]) == ("DEBIT", 3, 7)
    assert (entry["userId"], entry["sessionId"], entry["subscriptionId"]) == ("123", "s-1", None)
    assert entry["createdAt"].endswith("Z")
    assert "idempotent-replayed" not in response.headers
    assert await balance(payment) == 7


async def test_a_debit_larger_than_the_balance_is_refused_and_changes_nothing(payment: httpx.AsyncClient) -> None:
    await set_state(payment, "a user has credits", userId="123", balance=2)

    body = assert_error(await debit(payment, "booking-1", amount=3), 402, "INSUFFICIENT_CREDITS")

    assert "2 credits" in body.message
    assert await balance(payment) == 2
    assert await ledger_entries(payment) == 0


async def test_a_refused_debit_does_not_use_up_its_key(payment: httpx.AsyncClient) -> None:
    await set_state(payment, "a user has credits", userId="123", balance=2)
    assert_error(await debit(payment, "booking-1", amount=3), 402, "INSUFFICIENT_CREDITS")
    await allocate(payment, "top-up", amount=8)

    retried = await debit(payment, "booking-1", amount=3)

    assert retried.status_code == 201, retried.text
    assert retried.json()["balanceAfter"] == 7


async def test_a_user_without_any_credits_cannot_be_debited(payment: httpx.AsyncClient) -> None:
    await set_state(payment, "a user has no credits", userId="123")

    assert_error(await debit(payment, "booking-1", amount=1), 402, "INSUFFICIENT_CREDITS")
    assert await balance(payment) == 0


async def test_a_debit_can_take_the_whole_balance_but_never_more(payment: httpx.AsyncClient) -> None:
    await set_state(payment, "a user has credits", userId="123", balance=5)

    assert (await debit(payment, "all", amount=5, session="s-1")).json()["balanceAfter"] == 0
    assert_error(await debit(payment, "one-more", amount=1, session="s-2"), 402, "INSUFFICIENT_CREDITS")
    assert await balance(payment) == 0


async def test_replaying_a_debit_returns_the_first_result_without_debiting_twice(payment: httpx.AsyncClient) -> None:
    await set_state(payment, "a user has credits", userId="123", balance=10)

    first = await debit(payment, "booking-1")
    replay = await debit(payment, "booking-1")

    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json()
    assert replay.headers["idempotent-replayed"] == "true"
    assert await balance(payment) == 7
    assert await ledger_entries(payment) == 1


async def test_reusing_a_debit_key_for_another_request_is_refused(payment: httpx.AsyncClient) -> None:
    await set_state(payment, "a user has credits", userId="123", balance=10)
    await debit(payment, "booking-1", amount=3)

    assert_error(await debit(payment, "booking-1", amount=4), 422, "IDEMPOTENCY_KEY_REUSED")
    assert await balance(payment) == 7


async def test_ten_concurrent_debits_with_one_key_debit_once_and_answer_alike(payment: httpx.AsyncClient) -> None:
    await set_state(payment, "a user has credits", userId="123", balance=10)

    responses = await asyncio.gather(*(debit(payment, "booking-1", amount=3) for _ in range(10)))

    assert [response.status_code for response in responses] == [201] * 10
    assert len({response.text for response in responses}) == 1
    assert sum("idempotent-replayed" not in response.headers for response in responses) == 1
    assert await balance(payment) == 7
    assert await ledger_entries(payment) == 1


async def test_concurrent_debits_with_different_keys_never_overdraw(payment: httpx.AsyncClient) -> None:
    await set_state(payment, "a user has credits", userId="123", balance=10)

    responses = await asyncio.gather(*(debit(payment, f"booking-{i}", amount=3, session=f"s-{i}") for i in range(12)))

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] * 3 + [402] * 9
    assert sorted(response.json()["balanceAfter"] for response in responses if response.status_code == 201) == [1, 4, 7]
    assert await balance(payment) == 1
    assert await ledger_entries(payment) == 3


async def test_a_refund_gives_back_credits_debited_for_the_session(payment: httpx.AsyncClient) -> None:
    await set_state(payment, "a session was paid for", userId="123", sessionId="s-1", amount=3, balance=7)

    response = await refund(payment, "cancel-1", amount=3, session="s-1")

    assert response.status_code == 201, response.text
    entry = response.json()
    assert (entry["type"], entry["amount"], entry["balanceAfter"], entry["sessionId"]) == ("REFUND", 3, 10, "s-1")
    assert await balance(payment) == 10


async def test_refunds_for_a_session_never_exceed_what_was_debited_for_it(payment: httpx.AsyncClient) -> None:
    await set_state(payment, "a session was paid for", userId="123", sessionId="s-1", amount=3, balance=7)

    partial = await refund(payment, "cancel-1", amount=2)
    too_much = await refund(payment, "cancel-2", amount=2)
    rest = await refund(payment, "cancel-3", amount=1)

    assert partial.status_code == 201
    body = assert_error(too_much, 409, "CONFLICT")
    assert "Only 1 of the 3 credits" in body.message
    assert rest.status_code == 201
    assert_error(await refund(payment, "cancel-4", amount=1), 409, "CONFLICT")
    assert await balance(payment) == 10


async def test_refunding_a_session_that_was_never_paid_for_is_a_conflict(payment: httpx.AsyncClient) -> None:
    await set_state(payment, "a session was paid for", userId="123", sessionId="s-1", amount=3, balance=7)

    other_session = await refund(payment, "cancel-1", session="s-2")
    other_user = await refund(payment, "cancel-2", session="s-1", user="456")

    assert "Nothing was debited" in assert_error(other_session, 409, "CONFLICT").message
    assert_error(other_user, 409, "CONFLICT")
    assert await balance(payment) == 7
    assert await balance(payment, "456") == 0


async def test_a_retried_refund_never_pays_twice(payment: httpx.AsyncClient) -> None:
    await set_state(payment, "a session was paid for", userId="123", sessionId="s-1", amount=3, balance=7)

    first = await refund(payment, "cancel-1")
    retried = await refund(payment, "cancel-1")

    assert retried.status_code == 201
    assert retried.json() == first.json()
    assert retried.headers["idempotent-replayed"] == "true"
    assert await balance(payment) == 10


async def test_concurrent_refunds_with_different_keys_never_exceed_the_debit(payment: httpx.AsyncClient) -> None:
    await set_state(payment, "a session was paid for", userId="123", sessionId="s-1", amount=3, balance=7)

    responses = await asyncio.gather(*(refund(payment, f"cancel-{i}", amount=1) for i in range(8)))

    assert sorted(response.status_code for response in responses) == [201] * 3 + [409] * 5
    assert await balance(payment) == 10


async def test_a_session_paid_in_two_debits_can_be_refunded_in_full(payment: httpx.AsyncClient) -> None:
    await set_state(payment, "a user has credits", userId="123", balance=10)
    await debit(payment, "booking", amount=3, session="s-1")
    await debit(payment, "guest", amount=2, session="s-1")

    response = await refund(payment, "cancel", amount=5, session="s-1")

    assert response.status_code == 201
    assert response.json()["balanceAfter"] == 10


async def test_an_allocation_adds_the_subscriptions_credits_for_the_period(payment: httpx.AsyncClient) -> None:
    response = await allocate(payment, "sub-1-2025-01", period=JANUARY, amount=8)

    assert response.status_code == 201, response.text
    entry = response.json()
    assert (entry["type"], entry["amount"], entry["balanceAfter"]) == ("ALLOCATION", 8, 8)
    assert (entry["subscriptionId"], entry["periodStart"], entry["sessionId"]) == ("sub-1", JANUARY, None)
    assert await balance(payment) == 8


async def test_a_period_is_allocated_only_once_whatever_the_key(payment: httpx.AsyncClient) -> None:
    await allocate(payment, "first", period=JANUARY)

    again = await allocate(payment, "second", period=JANUARY)
    same_moment_elsewhere = await allocate(payment, "third", period="2025-01-01T01:00:00+01:00")
    next_period = await allocate(payment, "fourth", period=FEBRUARY)
    other_subscription = await allocate(payment, "fifth", period=JANUARY, subscription="sub-2")

    assert JANUARY in assert_error(again, 409, "CONFLICT").message
    assert_error(same_moment_elsewhere, 409, "CONFLICT")
    assert next_period.status_code == other_subscription.status_code == 201
    assert await balance(payment) == 24


async def test_replaying_an_allocation_returns_the_stored_result(payment: httpx.AsyncClient) -> None:
    first = await allocate(payment, "sub-1-2025-01")
    replay = await allocate(payment, "sub-1-2025-01")

    assert replay.status_code == 201
    assert replay.json() == first.json()
    assert replay.headers["idempotent-replayed"] == "true"
    assert await balance(payment) == 8


async def test_concurrent_allocations_of_one_period_allocate_once(payment: httpx.AsyncClient) -> None:
    responses = await asyncio.gather(*(allocate(payment, f"key-{i}") for i in range(6)))

    assert sorted(response.status_code for response in responses) == [201] + [409] * 5
    assert await balance(payment) == 8


async def test_every_movement_records_the_balance_it_left(payment: httpx.AsyncClient) -> None:
    moves = [
        await allocate(payment, "allocation", amount=8),
        await debit(payment, "booking", amount=3),
        await debit(payment, "second-booking", amount=4, session="s-2"),
        await refund(payment, "cancel", amount=3),
    ]

    assert [(move.json()["type"], move.json()["balanceAfter"]) for move in moves] == [
        ("ALLOCATION", 8),
        ("DEBIT", 5),
        ("DEBIT", 1),
        ("REFUND", 4),
    ]
    assert await ledger_entries(payment) == 4


async def test_concurrent_debits_and_refunds_of_one_session_all_settle(payment: httpx.AsyncClient) -> None:
    await set_state(payment, "a session was paid for", userId="123", sessionId="s-1", amount=3, balance=7)

    responses = await asyncio.gather(
        *(debit(payment, f"guest-{i}", amount=1, session="s-1") for i in range(5)),
        *(refund(payment, f"cancel-{i}", amount=1, session="s-1") for i in range(3)),
    )

    assert [response.status_code for response in responses] == [201] * 8
    assert await balance(payment) == 7 - 5 + 3
