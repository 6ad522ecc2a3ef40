"""Callers are who their key says: each service has its own key, and the provider trusts the key.

`x-service-name` may repeat the key's caller but never change it; rate limits count per
authenticated caller, so new names buy no new windows; a route open to named callers refuses
every other with 403. The development key stays a shared key that takes the caller's word.
"""

from __future__ import annotations

import logging

import pytest

from solo60.clients import ClientConfig
from solo60.contracts.openapi import openapi_document
from solo60.contracts.payment import PaymentServiceContract
from solo60.environment import ConfigurationError
from solo60.services.kit.access_log import JsonLogFormatter
from solo60.services.kit.settings import DEVELOPMENT_API_KEY
from tests.helpers import assert_error, set_state

USER = "/internal/users/123"
DEBIT = "/internal/payments/credits/debit"
KEYS = {"SERVICE_API_KEYS": "session:session-key,subscription:subscription-key,user:user-key"}


def _debit(key: str) -> dict[str, object]:
    return {
        "json": {"userId": "123", "sessionId": "s-1", "amount": 3},
        "headers": {"x-api-key": key, "Idempotency-Key": f"debit-{key}"},
    }


async def test_the_key_names_the_caller_and_x_service_name_cannot_change_it(serve, caplog) -> None:
    caplog.set_level(logging.INFO, logger="solo60.access")
    async with serve("user", environ=KEYS) as client:
        del client.headers["x-service-name"]
        claimed_other = await client.get(USER, headers={"x-api-key": "session-key", "x-service-name": "subscription"})
        repeated = await client.get(USER, headers={"x-api-key": "session-key", "x-service-name": "session"})
        unnamed = await client.get(USER, headers={"x-api-key": "session-key"})
    body = assert_error(claimed_other, 401, "UNAUTHORIZED")
    assert "'subscription'" in body.message
    assert "'session'" in body.message
    assert_error(repeated, 404, "NOT_FOUND")
    assert_error(unnamed, 404, "NOT_FOUND")
    logged = [JsonLogFormatter().format(record) for record in caplog.records if record.name == "solo60.access"]
    assert '"caller": "session"' in logged[-1]  # the unnamed call is logged as the key's caller


async def test_a_key_holder_cannot_get_another_service_rate_limited(serve) -> None:
    async with serve("user", rate_limit="20/minute", environ=KEYS) as client:
        del client.headers["x-service-name"]
        impostor = [
            await client.get(USER, headers={"x-api-key": "user-key", "x-service-name": "subscription"})
            for _ in range(25)
        ]
        fresh_names = [
            await client.get(USER, headers={"x-api-key": "user-key", "x-service-name": f"caller-{i}"})
            for i in range(200)
        ]
        real_subscription = await client.get(USER, headers={"x-api-key": "subscription-key"})
    assert {response.status_code for response in impostor + fresh_names} == {401}
    assert_error(real_subscription, 404, "NOT_FOUND")  # its window is untouched


async def test_fresh_names_buy_no_fresh_windows_with_a_shared_key(serve) -> None:
    async with serve("user", rate_limit="20/minute") as client:
        statuses = [
            (
                await client.get(USER, headers={"x-api-key": DEVELOPMENT_API_KEY, "x-service-name": f"name-{i}"})
            ).status_code
            for i in range(200)
        ]
    assert statuses.count(404) == 20
    assert statuses.count(429) == 180


async def test_a_route_open_to_named_callers_refuses_every_other_with_403(serve) -> None:
    async with serve("payment", environ=KEYS) as client:
        await set_state(client, "a user has credits", userId="123", balance=10)
        del client.headers["x-service-name"]
        by_user = await client.post(DEBIT, **_debit("user-key"))
        by_session = await client.post(DEBIT, **_debit("session-key"))
        by_subscription = await client.post(DEBIT, **_debit("subscription-key"))
    body = assert_error(by_user, 403, "FORBIDDEN")
    assert "'session'" in body.message
    assert "'subscription'" in body.message
    assert "'user'" in body.message
    assert by_session.status_code == 201, by_session.text
    assert by_subscription.status_code == 201, by_subscription.text
    assert by_subscription.json()["balanceAfter"] == 4


async def test_with_the_development_key_the_claimed_name_decides(serve) -> None:
    async with serve("payment") as client:
        await set_state(client, "a user has credits", userId="123", balance=10)
        del client.headers["x-service-name"]
        unnamed = await client.post(DEBIT, **_debit(DEVELOPMENT_API_KEY))
        as_user = await client.post(
            DEBIT,
            json={"userId": "123", "sessionId": "s-1", "amount": 3},
            headers={"x-api-key": DEVELOPMENT_API_KEY, "x-service-name": "user", "Idempotency-Key": "k-user"},
        )
        as_session = await client.post(
            DEBIT,
            json={"userId": "123", "sessionId": "s-1", "amount": 3},
            headers={"x-api-key": DEVELOPMENT_API_KEY, "x-service-name": "session", "Idempotency-Key": "k-session"},
        )
    assert "does not say who it is" in assert_error(unnamed, 403, "FORBIDDEN").message
    assert_error(as_user, 403, "FORBIDDEN")
    assert as_session.status_code == 201, as_session.text


def test_the_openapi_document_says_who_may_debit_credits() -> None:
    operation = openapi_document(PaymentServiceContract)["paths"][DEBIT]["post"]
    assert operation["x-solo60-callers"] == ["session", "subscription"]
    assert "Only the session and subscription services may call this route" in operation["description"]
    assert "FORBIDDEN" in operation["responses"]["403"]["content"]["application/json"]["examples"]
    [calling] = [parameter for parameter in operation["parameters"] if parameter.get("name") == "x-service-name"]
    assert calling["schema"] == {"type": "string", "enum": ["session", "subscription"]}
    balance = openapi_document(PaymentServiceContract)["paths"]["/internal/payments/credits/{userId}"]["get"]
    assert "403" not in balance["responses"]
    assert "x-solo60-callers" not in balance


async def test_production_runs_on_a_keys_file_alone_and_refuses_shared_keys(serve, tmp_path) -> None:
    keys = tmp_path / "keys"
    keys.write_text("# one line per calling service\nsession:session-key\n")
    production = {"environment": "production", "provider_states": False}
    environ = {"SOLO60_ENV": "production", "SERVICE_API_KEYS_FILE": str(keys)}
    async with serve("user", environ=environ, **production) as client:
        del client.headers["x-service-name"]
        assert_error(await client.get(USER, headers={"x-api-key": "session-key"}), 404, "NOT_FOUND")
        assert_error(await client.get(USER, headers={"x-api-key": DEVELOPMENT_API_KEY}), 401, "UNAUTHORIZED")
    keys.write_text("a-key-without-a-caller\n")
    with pytest.raises(ConfigurationError, match="caller:key"):
        async with serve("user", environ=environ, **production):
            pass


def test_each_service_calls_with_its_own_key() -> None:
    environ = {
        "PAYMENT_SERVICE_URL": "http://127.0.0.1:1",
        "SERVICE_API_KEY": "shared-key",
        "SESSION_SERVICE_API_KEY": "session-key",
    }
    assert ClientConfig.from_env("payment", caller="session", environ=environ).api_key == "session-key"
    assert ClientConfig.from_env("payment", caller="subscription", environ=environ).api_key == "shared-key"
    with pytest.raises(ConfigurationError, match="SUBSCRIPTION_SERVICE_API_KEY"):
        ClientConfig.from_env(
            "payment", caller="subscription", environ={"PAYMENT_SERVICE_URL": "http://x", "SOLO60_ENV": "production"}
        )
