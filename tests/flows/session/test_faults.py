"""Faults between the services: a payment service that acts and then loses its answer, and what follows.

A proxy sits between the session service and the real payment service: the session service's
`PAYMENT_SERVICE_URL` points at it, while the test reads the payment service directly.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.flows.session.conftest import BOOKING_SERVICES
from tests.flows.session.dropping_proxy import DroppingProxy
from tests.flows.session.stack import Stack, eventually, stack_of
from tests.flows.session.world import (
    MEMBER,
    PRICE,
    balance,
    balance_becomes,
    book,
    booked,
    command,
    gym,
    ledger,
    member,
    session,
    settled,
)
from tests.helpers import assert_error
from tests.services.communication.smtp_server import SmtpServer

REFUND = b"POST /internal/payments/credits/refund "
DEBIT = b"POST /internal/payments/credits/debit "


def first(request_line: bytes) -> Callable[[bytes], bool]:
    """Drop the answer to the first request starting with `request_line`, and only that one."""
    seen: list[bytes] = []

    def drop(request: bytes) -> bool:
        if request.startswith(request_line) and not seen:
            seen.append(request)
            return True
        return False

    return drop


def every(request_line: bytes) -> Callable[[bytes], bool]:
    return lambda request: request.startswith(request_line)


@pytest.fixture
async def proxy() -> AsyncIterator[DroppingProxy]:
    dropping = DroppingProxy(drop=lambda _request: False)
    await dropping.start()
    try:
        yield dropping
    finally:
        await dropping.stop()


@pytest.fixture
def behind(proxy: DroppingProxy, smtp: SmtpServer, tmp_path: Path) -> Callable[..., AsyncIterator[Stack]]:
    """`async with behind(**environ) as stack`: the booking stack, the session service paying through the proxy."""

    @asynccontextmanager
    async def start(**environ: str) -> AsyncIterator[Stack]:
        environ = {"PAYMENT_SERVICE_URL": f"http://127.0.0.1:{proxy.port}", **environ}
        async with stack_of(BOOKING_SERVICES, data_dir=tmp_path, smtp=smtp, environ=environ) as stack:
            payment = urlsplit(stack.services["payment"].url)
            proxy.upstream = (str(payment.hostname), int(payment.port or 80))
            yield stack

    return start


def payment_calls(proxy: DroppingProxy, request_line: bytes) -> int:
    return sum(line.startswith(request_line.strip()) for line in proxy.forwarded)


async def test_a_refund_whose_answer_is_lost_is_retried_and_paid_once(behind, proxy: DroppingProxy) -> None:
    proxy.drop = first(REFUND)
    async with behind() as stack:
        await gym(stack)
        await member(stack, credits=30)
        booking = await booked(stack)

        cancelled = await command(stack, booking["id"], "cancel")

        assert cancelled.status_code == 200
        await settled(stack)
        assert await balance(stack) == 30
        assert len(proxy.dropped) == 1
        assert payment_calls(proxy, REFUND) >= 2  # the retry reached payment, which answered the first result
        assert await ledger(stack, MEMBER) == [("DEBIT", PRICE, booking["id"]), ("REFUND", PRICE, booking["id"])]


async def test_a_debit_whose_answer_is_lost_is_retried_and_charged_once(behind, proxy: DroppingProxy) -> None:
    proxy.drop = first(DEBIT)
    async with behind() as stack:
        await gym(stack)
        await member(stack, credits=30)

        booking = await booked(stack)

        assert booking["status"] == "CONFIRMED"
        assert len(proxy.dropped) == 1
        assert payment_calls(proxy, DEBIT) == 2
        assert await balance(stack) == 30 - PRICE
        assert await ledger(stack, MEMBER) == [("DEBIT", PRICE, booking["id"])]


async def test_a_booking_whose_debit_went_unanswered_is_finished_by_a_retry_with_the_same_key(
    behind, proxy: DroppingProxy
) -> None:
    proxy.drop = every(DEBIT)
    async with behind() as stack:
        await gym(stack)
        await member(stack, credits=30)

        unanswered = await book(stack, key="booking-7")

        assert "retry with the same Idempotency-Key" in assert_error(unanswered, 503, "UPSTREAM_UNAVAILABLE").message
        assert await balance(stack) == 30 - PRICE  # payment did take the credits
        assert (await stack["session"].get(f"/internal/sessions/by-user/{MEMBER}")).json()["total"] == 0
        assert_error(await book(stack, key="booking-8", userId=MEMBER), 409, "CONFLICT")  # the slot stays held

        proxy.drop = lambda _request: False
        finished = await book(stack, key="booking-7")

        assert finished.status_code == 201, finished.text
        assert await session(stack, finished.json()["id"]) == finished.json()
        assert await ledger(stack, MEMBER) == [("DEBIT", PRICE, finished.json()["id"])]
        await settled(stack)  # the pending release was dropped with the booking's completion


async def test_a_held_booking_nobody_finishes_is_released_and_its_credits_given_back(
    behind, proxy: DroppingProxy
) -> None:
    proxy.drop = every(DEBIT)
    async with behind(SESSION_BOOKING_HOLD_SECONDS="1") as stack:
        await gym(stack)
        await member(stack, credits=30)

        assert (await book(stack)).status_code == 503
        proxy.drop = lambda _request: False

        await balance_becomes(stack, 30)
        await settled(stack)
        movements = await ledger(stack, MEMBER)
        held = movements[0][2]
        assert movements == [("DEBIT", PRICE, held), ("REFUND", PRICE, held)]

        async def slot_free() -> bool:
            return (await book(stack)).status_code == 201

        await eventually(slot_free, what="the released slot to be bookable")
