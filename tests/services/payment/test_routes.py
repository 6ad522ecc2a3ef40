"""What every payment route answers to bad callers and bad input: 4xx with the error body, never a 5xx."""

from __future__ import annotations

import httpx
import pytest

from tests.helpers import assert_error, set_state

DEBIT = "/internal/payments/credits/debit"
MONEY_ROUTES = [
    (DEBIT, {"userId": "123", "sessionId": "s-1", "amount": 3}),
    ("/internal/payments/credits/refund", {"userId": "123", "sessionId": "s-1", "amount": 3}),
    (
        "/internal/payments/credits/allocate",
        {"userId": "123", "subscriptionId": "sub-1", "periodStart": "2025-01-01T00:00:00Z", "amount": 8},
    ),
    ("/internal/payments/charges", {"userId": "123", "amountCents": 4900, "cardToken": "tok_visa"}),
]


async def test_a_call_without_a_service_key_is_unauthorized(payment: httpx.AsyncClient) -> None:
    del payment.headers["x-api-key"]

    assert_error(await payment.get("/internal/payments/credits/123"), 401, "UNAUTHORIZED")
    assert_error(
        await payment.post(DEBIT, json=MONEY_ROUTES[0][1], headers={"Idempotency-Key": "k"}), 401, "UNAUTHORIZED"
    )


async def test_a_wrong_service_key_is_unauthorized_and_moves_no_credits(payment: httpx.AsyncClient) -> None:
    await set_state(payment, "a user has credits", userId="123", balance=10)

    response = await payment.post(
        DEBIT, json=MONEY_ROUTES[0][1], headers={"Idempotency-Key": "k", "x-api-key": "not-the-key"}
    )

    assert_error(response, 401, "UNAUTHORIZED")
    assert (await payment.get("/internal/payments/credits/123")).json()["balance"] == 10


@pytest.mark.parametrize(("path", "body"), MONEY_ROUTES)
async def test_every_money_route_needs_an_idempotency_key(payment: httpx.AsyncClient, path: str, body: dict) -> None:
    error = assert_error(await payment.post(path, json=body), 400, "VALIDATION_ERROR")

    assert error.details is not None
    assert [detail.field for detail in error.details] == ["header.Idempotency-Key"]


@pytest.mark.parametrize("amount", [0, -1, 1.5, "3", True, None, 100_001])
async def test_a_debit_takes_a_positive_whole_number_of_credits(payment: httpx.AsyncClient, amount: object) -> None:
    response = await payment.post(
        DEBIT, json={"userId": "123", "sessionId": "s-1", "amount": amount}, headers={"Idempotency-Key": "k"}
    )

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert error.details is not None
    assert {detail.field for detail in error.details} == {"body.amount"}


async def test_a_move_names_every_missing_or_unknown_field(payment: httpx.AsyncClient) -> None:
    response = await payment.post(
        "/internal/payments/credits/allocate",
        json={"userId": "123", "periodStart": "2025-01-01T00:00:00", "amount": 8, "bonus": 100},
        headers={"Idempotency-Key": "k"},
    )

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert error.details is not None
    assert {detail.field for detail in error.details} == {"body.subscriptionId", "body.periodStart", "body.bonus"}


async def test_a_hostile_user_id_in_the_path_is_refused(payment: httpx.AsyncClient) -> None:
    assert_error(await payment.get("/internal/payments/credits/%27%20OR%201%3D1"), 400, "VALIDATION_ERROR")
    assert_error(await payment.get("/internal/payments/credits/" + "x" * 65), 400, "VALIDATION_ERROR")


async def test_malformed_json_is_a_validation_error(payment: httpx.AsyncClient) -> None:
    response = await payment.post(
        DEBIT,
        content=b'{"userId": "123", "amount": ',
        headers={"Idempotency-Key": "k", "content-type": "application/json"},
    )

    assert_error(response, 400, "VALIDATION_ERROR")


async def test_a_body_that_is_not_json_is_refused(payment: httpx.AsyncClient) -> None:
    response = await payment.post(DEBIT, content=b"userId=123", headers={"Idempotency-Key": "k"})

    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")


async def test_an_oversized_body_is_refused_before_it_is_read(payment: httpx.AsyncClient) -> None:
    body = {"userId": "123", "sessionId": "s-1", "amount": 3, "padding": "x" * 2_000_000}

    assert_error(await payment.post(DEBIT, json=body, headers={"Idempotency-Key": "k"}), 413, "PAYLOAD_TOO_LARGE")


async def test_a_refused_call_keeps_the_callers_correlation_id(payment: httpx.AsyncClient) -> None:
    response = await payment.post(
        DEBIT,
        json={"userId": "123", "sessionId": "s-1", "amount": 3},
        headers={"Idempotency-Key": "k", "x-correlation-id": "trace-7"},
    )

    assert assert_error(response, 402, "INSUFFICIENT_CREDITS").correlation_id == "trace-7"
