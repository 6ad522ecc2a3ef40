"""How the service finds its mail server: configured, or an embedded sink outside production; bad settings stop it."""

from __future__ import annotations

import asyncio
import logging
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from solo60.services.kit.settings import ConfigurationError


async def test_without_a_mail_server_mail_is_kept_by_the_local_sink_under_the_data_directory(
    serve, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="solo60.services.communication")
    async with serve("communication", environ={"MAIL_DISPATCH_INTERVAL_SECONDS": "0.05"}) as communication:
        sent = await communication.post(
            "/internal/emails/send",
            json={"templateKey": "PASSWORD_RESET", "to": {"email": "ada@example.com"}, "variables": {"resetUrl": "u"}},
            headers={"Idempotency-Key": "k"},
        )
        sink = communication.app.state.runtime.mail.sink  # type: ignore[attr-defined]
        port = sink.port

    assert sent.status_code == 201, sent.text
    [stored] = sink.stored()
    assert stored.parent == tmp_path / "mail"
    message = message_from_bytes(stored.read_bytes(), policy=policy.default)
    assert message["Subject"] == "Reset your Solo60 password"
    assert message["X-Envelope-To"] == "ada@example.com"
    assert message["Message-ID"] == f"<{sent.json()['messageId']}@solo60.local>"
    assert any(f"127.0.0.1:{port}" in record.getMessage() for record in caplog.records)
    with pytest.raises(ConnectionRefusedError):  # the sink stopped with the service
        await asyncio.open_connection("127.0.0.1", port)


async def test_in_production_the_service_refuses_to_start_without_a_mail_server(serve) -> None:
    with pytest.raises(ConfigurationError, match="SMTP_HOST"):
        async with serve("communication", environment="production", provider_states=False, api_keys=("gateway:k",)):
            pass


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SMTP_PORT", "smtp"),
        ("SMTP_PORT", "70000"),
        ("MAIL_FROM", "nobody"),
        ("MAIL_MAX_ATTEMPTS", "0"),
        ("SMTP_TLS", "perhaps"),
        ("MAIL_LEASE_SECONDS", "5"),
    ],
)
async def test_a_bad_mail_setting_stops_the_start_and_names_the_setting(serve, variable: str, value: str) -> None:
    environ = {"SMTP_HOST": "127.0.0.1", "SMTP_TIMEOUT_SECONDS": "10", variable: value}
    with pytest.raises(ConfigurationError) as raised:
        async with serve("communication", environ=environ):
            pass
    assert variable in str(raised.value)
