"""TLS: every client verifies certificates, with one context the process builds once."""

from __future__ import annotations

import ssl

from solo60.clients import ClientConfig, PaymentClient, UserClient
from solo60.clients._base import shared_ssl_context


async def test_clients_share_one_verifying_context() -> None:
    async with (
        UserClient(ClientConfig(base_url="https://user.example", caller="auth")) as users,
        PaymentClient(ClientConfig(base_url="http://payment:8105", caller="session")) as payments,
    ):
        contexts = {id(client._http._transport._pool._ssl_context) for client in (users, payments)}

    context = shared_ssl_context()
    assert contexts == {id(context)}
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
