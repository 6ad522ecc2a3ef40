"""The provider states the payment service's consumers (session, subscription) name in their pacts."""

from __future__ import annotations

import httpx
import pytest

from tests.helpers import assert_error, set_state

DEBIT = "/internal/payments/credits/debit"
REFUND = "/internal/payments/credits/refund"
ALLOCATE = "/internal/payments/credits/allocate"


async def balance(payment: httpx.AsyncClient, user: str = "123") -> int:
    return (await payment.get(f"/internal/payments/credits/{user}")).json()["balance"]


async def test_the_payment_service_lists_the_states_its_consumers_need(payment: httpx.AsyncClient) -> None:
    listed = (await payment.get("/_pact/provider-states")).json()

    assert {state["name"] for state in listed["states"]} == {
        "a user has credits",
        "a user has no credits",
        "a session was paid for",
        "credits were allocated for a period",
    }


async def test_a_user_has_credits_sets_the_balance(payment: httpx.AsyncClient) -> None:
    values = await set_state(payment, "a user has credits", userId="42", balance=25)

    assert values == {"userId": "42", "balance": 25}
    assert await balance(payment, "42") == 25


async def test_a_user_has_credits_defaults_to_ten_credits_for_user_123(payment: httpx.AsyncClient) -> None:
    await set_state(payment, "a user has credits")

    assert await balance(payment, "123") == 10


async def test_a_user_has_no_credits_empties_an_existing_balance(payment: httpx.AsyncClient) -> None:
    await set_state(payment, "a user has credits", userId="42", balance=25)

    await set_state(payment, "a user has no credits", userId="42")

    assert await balance(payment, "42") == 0
    response = await payment.post(
        DEBIT, json={"userId": "42", "sessionId": "s-1", "amount": 1}, headers={"Idempotency-Key": "k"}
    )
    assert_error(response, 402, "INSUFFICIENT_CREDITS")


async def test_a_session_was_paid_for_lets_its_refund_through(payment: httpx.AsyncClient) -> None:
    values = await set_state(payment, "a session was paid for", userId="42", sessionId="s-9", amount=4, balance=6)

    refund = await payment.post(
        REFUND, json={"userId": "42", "sessionId": "s-9", "amount": 4}, headers={"Idempotency-Key": "cancel"}
    )

    assert (values["userId"], values["sessionId"], values["balance"]) == ("42", "s-9", 6)
    assert refund.status_code == 201
    assert refund.json()["balanceAfter"] == 10


async def test_a_session_was_paid_for_makes_a_replayed_debit_return_the_stored_result(
    payment: httpx.AsyncClient,
) -> None:
    values = await set_state(payment, "a session was paid for", idempotencyKey="booking-s-42")

    replay = await payment.post(
        DEBIT, json={"userId": "123", "sessionId": "s-42", "amount": 3}, headers={"Idempotency-Key": "booking-s-42"}
    )

    assert replay.status_code == 201
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json()["id"] == values["transactionId"]
    assert replay.json()["balanceAfter"] == 7
    assert await balance(payment) == 7


async def test_credits_were_allocated_makes_a_replay_return_the_stored_result(payment: httpx.AsyncClient) -> None:
    values = await set_state(
        payment,
        "credits were allocated for a period",
        userId="42",
        subscriptionId="sub-7",
        periodStart="2025-03-01T00:00:00Z",
        amount=12,
        idempotencyKey="allocate-sub-7-2025-03",
    )
    body = {"userId": "42", "subscriptionId": "sub-7", "periodStart": "2025-03-01T00:00:00Z", "amount": 12}

    replay = await payment.post(ALLOCATE, json=body, headers={"Idempotency-Key": "allocate-sub-7-2025-03"})
    another_key = await payment.post(ALLOCATE, json=body, headers={"Idempotency-Key": "another"})

    assert replay.status_code == 201
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json()["id"] == values["transactionId"]
    assert_error(another_key, 409, "CONFLICT")
    assert await balance(payment, "42") == 12


async def test_setting_up_a_state_twice_replaces_its_data_instead_of_failing(payment: httpx.AsyncClient) -> None:
    await set_state(payment, "credits were allocated for a period", amount=8)
    await set_state(payment, "credits were allocated for a period", amount=10)
    await set_state(payment, "a session was paid for", amount=3, balance=7)
    second = await set_state(payment, "a session was paid for", amount=5, balance=1)

    assert second["balance"] == 1
    assert await balance(payment) == 1


@pytest.mark.parametrize(
    ("state", "params", "named"),
    [
        ("a session was paid for", {"amount": 0}, "amount"),
        ("a user has credits", {"balance": -1}, "balance"),
        ("a user has credits", {"userId": "x" * 65}, "userId"),
        ("a user has no credits", {"userId": "a/b"}, "userId"),
        ("credits were allocated for a period", {"idempotencyKey": "has space"}, "idempotencyKey"),
    ],
)
async def test_a_state_with_impossible_params_is_refused_with_400_naming_the_param(
    payment: httpx.AsyncClient, state: str, params: dict, named: str
) -> None:
    response = await payment.post("/_pact/provider-states", json={"state": state, "params": params, "action": "setup"})

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert error.details is not None
    assert [detail.field.rsplit(".", 1)[-1] for detail in error.details] == [named]


async def test_a_state_with_a_period_start_without_timezone_is_refused(payment: httpx.AsyncClient) -> None:
    response = await payment.post(
        "/_pact/provider-states",
        json={
            "state": "credits were allocated for a period",
            "params": {"periodStart": "2025-01-01T00:00:00"},
            "action": "setup",
        },
    )

    assert_error(response, 400, "VALIDATION_ERROR")


async def test_teardown_forgets_every_balance(payment: httpx.AsyncClient) -> None:
    await set_state(payment, "a user has credits", userId="42", balance=25)

    response = await payment.post("/_pact/provider-states", json={"state": "a user has credits", "action": "teardown"})

    assert response.status_code == 200
    assert await balance(payment, "42") == 0
