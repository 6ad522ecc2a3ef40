"""What the auth service reads from its environment at start: the app's URL and the relay's patience."""

from __future__ import annotations

import pytest

from solo60.services.kit.settings import ConfigurationError


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SOLO60_APP_URL", "app.solo60.test"),
        ("SOLO60_APP_URL", "https://app.solo60.test/?next=x"),
        ("OUTBOX_IDLE_SECONDS", "soon"),
        ("OUTBOX_MAX_ATTEMPTS", "2.5"),
        ("OUTBOX_RETRY_BASE_SECONDS", "-1"),
    ],
)
async def test_a_bad_setting_stops_the_start_and_names_the_variable(serve, variable: str, value: str) -> None:
    with pytest.raises(ConfigurationError, match=variable):
        async with serve("auth", environ={variable: value}):
            pass


async def test_in_production_the_mailed_links_need_the_apps_url(serve) -> None:
    with pytest.raises(ConfigurationError, match="SOLO60_APP_URL"):
        async with serve("auth", environment="production", provider_states=False, api_keys=("gateway:k",)):
            pass


async def test_the_service_starts_without_the_services_it_calls_and_says_so(serve, caplog) -> None:
    async with serve("auth") as auth:
        assert (await auth.get("/ready")).status_code == 200

    warnings = " ".join(record.getMessage() for record in caplog.records)
    assert "USER_SERVICE_URL is not set" in warnings
    assert "COMMUNICATION_SERVICE_URL is not set" in warnings
