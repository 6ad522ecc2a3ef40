"""What the subscription service reads from its environment at start: whom it calls, its broker, its relay."""

from __future__ import annotations

import pytest

from solo60.services.kit.settings import ConfigurationError


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("OUTBOX_IDLE_SECONDS", "0"),
        ("OUTBOX_MAX_ATTEMPTS", "many"),
        ("OUTBOX_RETRY_MAX_SECONDS", "inf"),
        ("PAYMENT_SERVICE_URL", "payment:8105"),
        ("SOLO60_AMQP_URL", "http://rabbit:5672"),
    ],
)
async def test_a_bad_setting_stops_the_start_and_names_the_variable(serve, variable: str, value: str) -> None:
    with pytest.raises(ConfigurationError, match=variable):
        async with serve("subscription", environ={variable: value}):
            pass


async def test_the_service_starts_without_the_services_it_calls_and_says_so(serve, caplog) -> None:
    async with serve("subscription") as subscriptions:
        assert (await subscriptions.get("/ready")).status_code == 200

    warnings = " ".join(record.getMessage() for record in caplog.records)
    assert "PAYMENT_SERVICE_URL is not set" in warnings
    assert "COMMUNICATION_SERVICE_URL" not in warnings  # its mails are events now: nothing to call
