"""The communication suites run against a real local SMTP server; the service is wired to it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.services.communication.smtp_server import SmtpServer


@pytest.fixture
async def smtp() -> AsyncIterator[SmtpServer]:
    server = SmtpServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def communication(serve, smtp: SmtpServer) -> AsyncIterator[httpx.AsyncClient]:
    async with serve("communication", environ=smtp.environ()) as client:
        yield client
