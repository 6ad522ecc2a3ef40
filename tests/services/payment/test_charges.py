"""Card charges through the gateway adapter, against the local gateway simulator."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import sqlalchemy as sa

from solo60.services.kit.settings import ConfigurationError
from solo60.services.payment.storage import ChargeRow
from tests.helpers import assert_error

CHARGES = "/internal/payments/charges"


async def charge(payment: httpx.AsyncClient, key: str, token: str = "tok_visa", amount: int = 4900, **fields: object):
    body = {"userId": "123", "amountCents": amount, "cardToken": token, **fields}
    return await payment.post(CHARGES, json=body, headers={"Idempotency-Key": key})


async def recorded_charges(payment: httpx.AsyncClient) -> int:
    async with payment.app.state.runtime.db.read() as session:  # type: ignore[attr-defined]
        return await session.scalar(sa.select(sa.func.count()).select_from(ChargeRow))


async def test_a_good_card_is_charged(payment: httpx.AsyncClient) -> None:
    response = await charge(
        payment, "plan-jan", amount=4900, currency="EUR", description="Plan", subscriptionId="sub-1"
    )

    assert response.status_code == 201, response.text
    charged = response.json()
    assert (charged["status"], charged["amountCents"], charged["currency"]) == ("SUCCEEDED", 4900, "EUR")
    assert (charged["failureCode"], charged["failureReason"]) == (None, None)
    assert charged["gatewayChargeId"].startswith("sim_ch_")
    assert (charged["description"], charged["subscriptionId"], charged["userId"]) == ("Plan", "sub-1", "123")


@pytest.mark.parametrize(
    ("token", "code"),
    [
        ("tok_chargeDeclined", "card_declined"),
        ("tok_chargeDeclinedInsufficientFunds", "insufficient_funds"),
        ("tok_chargeDeclinedExpiredCard", "expired_card"),
        ("tok_unheardOf", "invalid_card_token"),
    ],
)
async def test_a_declined_card_is_a_recorded_failed_charge_with_the_reason(
    payment: httpx.AsyncClient, token: str, code: str
) -> None:
    response = await charge(payment, "plan-jan", token=token)

    assert response.status_code == 201, response.text
    declined = response.json()
    assert (declined["status"], declined["failureCode"]) == ("FAILED", code)
    assert declined["failureReason"]
    assert await recorded_charges(payment) == 1


async def test_a_gateway_outage_is_503_and_records_nothing(payment: httpx.AsyncClient) -> None:
    first = await charge(payment, "plan-jan", token="tok_gatewayUnavailable")
    retried = await charge(payment, "plan-jan", token="tok_gatewayUnavailable")

    assert_error(first, 503, "UPSTREAM_UNAVAILABLE")
    assert_error(retried, 503, "UPSTREAM_UNAVAILABLE")
    assert "idempotent-replayed" not in retried.headers
    assert await recorded_charges(payment) == 0


async def test_a_transient_gateway_failure_is_charged_when_retried_with_the_same_key(
    payment: httpx.AsyncClient,
) -> None:
    failed = await charge(payment, "plan-jan", token="tok_gatewayFlaky")
    retried = await charge(payment, "plan-jan", token="tok_gatewayFlaky")

    assert_error(failed, 503, "UPSTREAM_UNAVAILABLE")
    assert retried.status_code == 201
    assert retried.json()["status"] == "SUCCEEDED"
    assert await recorded_charges(payment) == 1


async def test_replaying_a_charge_returns_the_first_charge(payment: httpx.AsyncClient) -> None:
    first = await charge(payment, "plan-jan")
    replay = await charge(payment, "plan-jan")

    assert replay.status_code == 201
    assert replay.json() == first.json()
    assert replay.headers["idempotent-replayed"] == "true"
    assert await recorded_charges(payment) == 1


async def test_a_replayed_decline_stays_a_decline(payment: httpx.AsyncClient) -> None:
    first = await charge(payment, "plan-jan", token="tok_chargeDeclined")
    replay = await charge(payment, "plan-jan", token="tok_chargeDeclined")

    assert replay.json() == first.json()
    assert replay.json()["status"] == "FAILED"


async def test_reusing_a_charge_key_for_another_amount_is_refused(payment: httpx.AsyncClient) -> None:
    await charge(payment, "plan-jan", amount=4900)

    assert_error(await charge(payment, "plan-jan", amount=9900), 422, "IDEMPOTENCY_KEY_REUSED")
    assert await recorded_charges(payment) == 1


async def test_concurrent_charges_with_one_key_charge_once(payment: httpx.AsyncClient) -> None:
    responses = await asyncio.gather(*(charge(payment, "plan-jan") for _ in range(10)))

    assert [response.status_code for response in responses] == [201] * 10
    assert len({response.text for response in responses}) == 1
    assert await recorded_charges(payment) == 1


@pytest.mark.parametrize(
    "fields",
    [
        {"amountCents": 0},
        {"currency": "eur"},
        {"cardToken": "4242 4242 4242 4242"},
        {"cardToken": "4242424242424242"},
        {"cardToken": ""},
        {"description": "x" * 201},
    ],
)
async def test_a_charge_request_is_validated_before_the_gateway_sees_it(
    payment: httpx.AsyncClient, fields: dict
) -> None:
    body = {"userId": "123", "amountCents": 4900, "cardToken": "tok_visa", **fields}

    assert_error(await payment.post(CHARGES, json=body, headers={"Idempotency-Key": "k"}), 400, "VALIDATION_ERROR")
    assert await recorded_charges(payment) == 0


async def test_an_unknown_gateway_setting_stops_the_service_from_starting(serve) -> None:
    with pytest.raises(ConfigurationError, match="PAYMENT_GATEWAY"):
        async with serve("payment", environ={"PAYMENT_GATEWAY": "acme-pay"}):
            pass  # pragma: no cover - the service must not start


async def test_the_simulator_is_chosen_by_name(serve) -> None:
    async with serve("payment", environ={"PAYMENT_GATEWAY": "Simulator"}) as payment:
        assert (await charge(payment, "k")).json()["status"] == "SUCCEEDED"
