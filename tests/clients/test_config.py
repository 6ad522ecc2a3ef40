"""Configuration from the environment: where the target is, which key to send, how patient to be."""

from __future__ import annotations

import pytest

from solo60.clients import (
    BreakerPolicy,
    ClientConfig,
    ConfigurationError,
    PaymentClient,
    RetryPolicy,
    Timeouts,
    UserClient,
)
from solo60.services.kit.settings import DEVELOPMENT_API_KEY


def test_the_target_is_found_from_its_service_url_variable() -> None:
    config = ClientConfig.from_env("payment", caller="session", environ={"PAYMENT_SERVICE_URL": "http://pay:8105/"})

    assert config.base_url == "http://pay:8105"
    assert config.caller == "session"
    assert config.target == "payment"


def test_a_missing_url_is_an_error_naming_the_variable() -> None:
    with pytest.raises(ConfigurationError, match="PAYMENT_SERVICE_URL"):
        ClientConfig.from_env("payment", caller="session", environ={})


def test_the_development_key_is_sent_unless_one_is_configured() -> None:
    url = {"USER_SERVICE_URL": "http://user:8101"}

    assert ClientConfig.from_env("user", caller="auth", environ=url).api_key == DEVELOPMENT_API_KEY
    configured = ClientConfig.from_env("user", caller="auth", environ={**url, "SERVICE_API_KEY": "k-auth"})
    assert configured.api_key == "k-auth"


@pytest.mark.parametrize("key", [None, DEVELOPMENT_API_KEY])
def test_production_needs_a_real_key(key) -> None:
    environ = {"USER_SERVICE_URL": "http://user:8101", "SOLO60_ENV": "production"}
    if key:
        environ["SERVICE_API_KEY"] = key

    with pytest.raises(ConfigurationError, match="SERVICE_API_KEY"):
        ClientConfig.from_env("user", caller="auth", environ=environ)


def test_defaults_are_documented_policies() -> None:
    config = ClientConfig.from_env("user", caller="auth", environ={"USER_SERVICE_URL": "http://user:8101"})

    assert config.timeouts == Timeouts(connect=1.0, attempt=5.0, deadline=15.0)
    assert config.retry == RetryPolicy(attempts=3, backoff=0.1, max_backoff=2.0, jitter=0.1)
    assert config.breaker == BreakerPolicy(failures=5, cool_down=10.0)


def test_policies_come_from_the_environment_and_a_target_may_override_them() -> None:
    environ = {
        "PAYMENT_SERVICE_URL": "http://pay:8105",
        "SOLO60_CLIENT_DEADLINE": "20",
        "SOLO60_CLIENT_ATTEMPT_TIMEOUT": "2.5",
        "PAYMENT_CLIENT_DEADLINE": "40",
        "SOLO60_CLIENT_RETRY_ATTEMPTS": "5",
        "SOLO60_CLIENT_BREAKER_COOL_DOWN": "3",
        "PAYMENT_CLIENT_BREAKER_FAILURES": "9",
    }

    config = ClientConfig.from_env("payment", caller="session", environ=environ)

    assert config.timeouts == Timeouts(connect=1.0, attempt=2.5, deadline=40.0)
    assert config.retry.attempts == 5
    assert config.breaker == BreakerPolicy(failures=9, cool_down=3.0)


@pytest.mark.parametrize(
    ("variable", "value"),
    [("SOLO60_CLIENT_DEADLINE", "soon"), ("SOLO60_CLIENT_RETRY_ATTEMPTS", "2.5"), ("USER_CLIENT_DEADLINE", "-1")],
)
def test_an_unusable_value_is_an_error_naming_its_variable(variable, value) -> None:
    environ = {"USER_SERVICE_URL": "http://user:8101", variable: value}

    with pytest.raises(ConfigurationError, match=variable):
        ClientConfig.from_env("user", caller="auth", environ=environ)


def test_a_client_refuses_the_configuration_of_another_target() -> None:
    config = ClientConfig.from_env("payment", caller="session", environ={"PAYMENT_SERVICE_URL": "http://pay:8105"})

    with pytest.raises(ValueError, match="payment"):
        UserClient(config)
    assert PaymentClient(config).config is config


def test_a_base_url_must_be_http() -> None:
    with pytest.raises(ValueError, match="http"):
        ClientConfig("pay:8105", caller="session")
