"""The booking flow with a key per calling service, as production runs it.

Each service calls the others with its own key (`<NAME>_SERVICE_API_KEY`) and every provider
knows each key's caller (`caller:key` in `SERVICE_API_KEYS`): the booking still checks the
member, prices the slot, debits the credits and has the member mailed; the gateway, whose key is its
own, may book but may not debit credits itself.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from solo60.clients import service_url_variable
from tests.flows.session.conftest import BOOKING_SERVICES
from tests.flows.session.stack import Stack, stack_of
from tests.flows.session.world import MEMBER, MEMBER_EMAIL, PRICE, balance, booked, gym, ledger, member
from tests.helpers import assert_error
from tests.services.communication.smtp_server import SmtpServer

OWN_KEYS = {"session": "k-session", "communication": "k-communication", "gateway": "k-gateway"}


@pytest.fixture
async def keyed_stack(smtp: SmtpServer, tmp_path: Path, database_urls: dict[str, str]) -> AsyncIterator[Stack]:
    environ = {
        "SERVICE_API_KEYS": ",".join(f"{caller}:{key}" for caller, key in OWN_KEYS.items()),
        **{f"{caller.upper()}_SERVICE_API_KEY": key for caller, key in OWN_KEYS.items() if caller != "gateway"},
    }
    async with stack_of(
        BOOKING_SERVICES, data_dir=tmp_path, smtp=smtp, database_urls=database_urls, environ=environ
    ) as running:
        for name in BOOKING_SERVICES:  # the gateway calls with its own key and says nothing else
            running.clients[name] = httpx.AsyncClient(
                base_url=running.environ[service_url_variable(name)],
                headers={"x-api-key": OWN_KEYS["gateway"]},
                timeout=15,
            )
        yield running


async def test_a_booking_goes_through_with_a_key_per_service(keyed_stack: Stack) -> None:
    stack = keyed_stack
    await gym(stack, noiseSensitive=True)
    await member(stack, credits=30)

    booking = await booked(stack)

    assert booking["status"] == "CONFIRMED"
    assert await balance(stack) == 30 - PRICE
    assert await ledger(stack, MEMBER) == [("DEBIT", PRICE, booking["id"])]
    assert await stack.mail_to(MEMBER_EMAIL, "noise")  # session -> communication -> user, each with its key


async def test_the_gateway_may_not_debit_credits_nor_pass_for_the_session_service(keyed_stack: Stack) -> None:
    stack = keyed_stack
    await member(stack, credits=30)
    debit = {"userId": MEMBER, "sessionId": "s-1", "amount": 3}
    direct = await stack["payment"].post(
        "/internal/payments/credits/debit", json=debit, headers={"Idempotency-Key": "gateway-debit"}
    )
    posing = await stack["payment"].post(
        "/internal/payments/credits/debit",
        json=debit,
        headers={"Idempotency-Key": "gateway-debit-2", "x-service-name": "session"},
    )
    assert_error(direct, 403, "FORBIDDEN")
    assert_error(posing, 401, "UNAUTHORIZED")
    assert await balance(stack) == 30
