"""Production charges through a configured gateway, never the simulator; Stripe's adapter on the wire.

"Stripe" here is a scripted HTTP server on 127.0.0.1 answering as Stripe's Charges API does
(its documented shapes: a charge object, a 402 `card_error`, a 400 `invalid_request_error`),
reached through `STRIPE_API_BASE` as Docker Compose reaches `stripe-mock`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs

import pytest

from solo60.services.kit.settings import ConfigurationError, ServiceSettings
from solo60.services.payment.gateway_simulator import GatewaySimulator
from solo60.services.payment.gateways import gateway_from_settings
from solo60.services.payment.stripe_gateway import StripeGateway
from tests.clients.scripted import Answer, ScriptedProvider, serving
from tests.helpers import assert_error
from tests.services.payment.test_charges import charge, recorded_charges

PRODUCTION = {"SOLO60_ENV": "production", "SERVICE_API_KEYS": "subscription:a-production-key"}


def production_settings(**environ: str) -> ServiceSettings:
    return ServiceSettings.from_env("payment", {**PRODUCTION, **environ})


@pytest.mark.parametrize(
    ("environ", "says"),
    [
        ({}, "PAYMENT_GATEWAY is not set: in production"),
        ({"PAYMENT_GATEWAY": "simulator"}, "PAYMENT_GATEWAY is the simulator: in production"),
        ({"PAYMENT_GATEWAY": "stripe"}, "PAYMENT_GATEWAY=stripe needs STRIPE_API_KEY"),
        ({"PAYMENT_GATEWAY": "stripe", "STRIPE_API_KEY": "sk", "STRIPE_TIMEOUT_SECONDS": "soon"}, "STRIPE_TIMEOUT"),
    ],
    ids=["unset", "simulator", "stripe without a key", "bad timeout"],
)
def test_production_refuses_to_charge_without_a_real_gateway_saying_what_to_set(
    environ: dict[str, str], says: str
) -> None:
    with pytest.raises(ConfigurationError) as refused:
        gateway_from_settings(production_settings(**environ))
    assert says in str(refused.value)
    if not environ.get("PAYMENT_GATEWAY") or environ["PAYMENT_GATEWAY"] == "simulator":
        assert "Set PAYMENT_GATEWAY=stripe and STRIPE_API_KEY" in str(refused.value)


async def test_the_payment_service_does_not_start_in_production_on_the_simulator(serve: Any) -> None:
    with pytest.raises(ConfigurationError, match="PAYMENT_GATEWAY is not set: in production"):
        async with serve("payment", environ=PRODUCTION, environment="production", provider_states=False):
            pass  # pragma: no cover - the service must not start


async def test_production_charges_through_the_configured_gateway() -> None:
    chosen = gateway_from_settings(production_settings(PAYMENT_GATEWAY="stripe", STRIPE_API_KEY="sk_live_x"))
    try:
        assert isinstance(chosen, StripeGateway)
    finally:
        await chosen.aclose()
    assert isinstance(gateway_from_settings(ServiceSettings.from_env("payment", {})), GatewaySimulator)


@pytest.fixture
async def stripe_api() -> AsyncIterator[ScriptedProvider]:
    provider = ScriptedProvider()
    async with serving(provider) as url:
        provider.url = url
        yield provider


@pytest.fixture
async def payment(serve: Any, stripe_api: ScriptedProvider) -> AsyncIterator[Any]:
    environ = {"PAYMENT_GATEWAY": "stripe", "STRIPE_API_KEY": "sk_test_solo60", "STRIPE_API_BASE": stripe_api.url}
    async with serve("payment", environ=environ) as client:
        yield client


def _form(provider: ScriptedProvider, index: int = -1) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(provider.received[index].body.decode()).items()}


async def test_a_good_card_is_charged_at_stripe_with_the_routes_idempotency_key(
    payment: Any, stripe_api: ScriptedProvider
) -> None:
    stripe_api.answer(Answer(200, {"id": "ch_3Pq", "object": "charge", "status": "succeeded"}))
    response = await charge(payment, "plan-jan", amount=4900, currency="EUR", description="Monthly plan")
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "SUCCEEDED"
    assert response.json()["gatewayChargeId"] == "ch_3Pq"
    request = stripe_api.received[-1]
    assert (request.method, request.path) == ("POST", "/v1/charges")
    assert request.headers["authorization"] == "Bearer sk_test_solo60"
    assert request.headers["idempotency-key"] == "plan-jan"
    assert _form(stripe_api) == {
        "amount": "4900",
        "currency": "eur",
        "source": "tok_visa",
        "description": "Monthly plan",
    }


async def test_a_declined_card_keeps_stripes_decline_code(payment: Any, stripe_api: ScriptedProvider) -> None:
    declined = {
        "error": {
            "type": "card_error",
            "code": "card_declined",
            "decline_code": "insufficient_funds",
            "message": "Your card has insufficient funds.",
            "charge": "ch_declined",
        }
    }
    stripe_api.answer(Answer(402, declined))
    response = await charge(payment, "plan-feb")
    assert response.status_code == 201, response.text
    answer = response.json()
    assert (answer["status"], answer["failureCode"]) == ("FAILED", "insufficient_funds")
    assert answer["failureReason"] == "Your card has insufficient funds."
    assert answer["gatewayChargeId"] == "ch_declined"


async def test_a_card_token_stripe_does_not_know_is_a_decline(payment: Any, stripe_api: ScriptedProvider) -> None:
    missing = {
        "error": {
            "type": "invalid_request_error",
            "code": "resource_missing",
            "param": "source",
            "message": "No such token: 'tok_nope'",
        }
    }
    stripe_api.answer(Answer(400, missing))
    answer = (await charge(payment, "plan-mar", token="tok_nope")).json()
    assert (answer["status"], answer["failureCode"]) == ("FAILED", "invalid_card_token")


async def test_a_stripe_outage_is_503_and_records_nothing(payment: Any, stripe_api: ScriptedProvider) -> None:
    stripe_api.default = Answer(500, {"error": {"type": "api_error", "message": "Something went wrong on Stripe."}})
    body = assert_error(await charge(payment, "plan-apr"), 503, "UPSTREAM_UNAVAILABLE")
    assert "The payment gateway is unavailable" in body.message
    assert await recorded_charges(payment) == 0
    assert {request.headers["idempotency-key"] for request in stripe_api.received} == {"plan-apr"}


async def test_a_refused_stripe_key_is_503_naming_stripe(payment: Any, stripe_api: ScriptedProvider) -> None:
    stripe_api.answer(Answer(401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key provided"}}))
    body = assert_error(await charge(payment, "plan-may"), 503, "UPSTREAM_UNAVAILABLE")
    assert "Stripe (401)" in body.message
