"""What a member sees when a service the flows call is down: the main action succeeds or is refused cleanly,
and what follows it is delivered once the service is back."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from solo60.services.kit.outbox import PENDING
from solo60.services.session.storage import SessionRow, outbox
from tests.flows.session.stack import ReservedPort, Stack, eventually, stack_of
from tests.flows.session.world import (
    GUEST_EMAIL,
    MEMBER,
    MEMBER_EMAIL,
    PRICE,
    balance,
    book,
    booked,
    gym,
    ledger,
    member,
)
from tests.helpers import assert_error
from tests.services.communication.smtp_server import SmtpServer


async def pending_messages(stack: Stack) -> list[sa.Row]:
    return await stack.rows(
        "session",
        sa.select(outbox.c.operation, outbox.c.attempts, outbox.c.last_error).where(outbox.c.status == PENDING),
    )


async def test_a_booking_while_communication_is_down_succeeds_and_its_mail_arrives_once_it_is_back(
    smtp: SmtpServer, tmp_path: Path
) -> None:
    communication = ReservedPort()
    environ = {"COMMUNICATION_SERVICE_URL": communication.url}
    async with stack_of(("user", "gym", "session", "payment"), data_dir=tmp_path, smtp=smtp, environ=environ) as stack:
        await gym(stack, noiseSensitive=True)
        await member(stack)

        booking = await booked(stack)

        assert booking["status"] == "CONFIRMED"
        assert await ledger(stack, MEMBER) == [("DEBIT", PRICE, booking["id"])]

        async def retried() -> bool:
            return any(row.attempts >= 2 and row.last_error for row in await pending_messages(stack))

        await eventually(retried, what="the noise warning to be retried while communication is down")
        assert stack.mails_to(MEMBER_EMAIL) == []

        async with stack_of(
            ("communication",),
            data_dir=tmp_path,
            smtp=smtp,
            environ=stack.environ,
            ports={"communication": communication.release()},
        ):
            warning = await stack.mail_to(MEMBER_EMAIL, "noise")
            await eventually(lambda: _no_pending(stack), what="the outbox to be empty")

        assert "Field Street Gym" in warning.subject
        assert len(stack.mails_to(MEMBER_EMAIL)) == 1


async def test_a_booking_while_payment_is_down_is_refused_with_503_and_holds_nothing(
    smtp: SmtpServer, tmp_path: Path
) -> None:
    payment = ReservedPort()
    environ = {"PAYMENT_SERVICE_URL": payment.url}
    async with stack_of(
        ("user", "gym", "session", "communication"), data_dir=tmp_path, smtp=smtp, environ=environ
    ) as stack:
        await gym(stack)
        await stack.state("user", "a user exists", userId=MEMBER, email=MEMBER_EMAIL)

        refused = await book(stack, key="booking-while-payment-is-down")

        assert "payment" in assert_error(refused, 503, "UPSTREAM_UNAVAILABLE").message
        assert await stack.rows("session", sa.select(SessionRow.id)) == []
        assert await pending_messages(stack) == []

        async with stack_of(
            ("payment",), data_dir=tmp_path, environ=stack.environ, ports={"payment": payment.release()}
        ):
            await stack.state("payment", "a user has credits", userId=MEMBER, balance=30)
            retried = await book(stack, key="booking-while-payment-is-down")
            assert retried.status_code == 201, retried.text
            assert await balance(stack) == 30 - PRICE


async def test_a_cancellation_while_payment_and_communication_are_down_succeeds_and_its_refund_and_mails_follow(
    smtp: SmtpServer, tmp_path: Path
) -> None:
    payment, communication = ReservedPort(), ReservedPort()
    ports = {"payment": payment.release(), "communication": communication.release()}
    environ = {"PAYMENT_SERVICE_URL": payment.url, "COMMUNICATION_SERVICE_URL": communication.url}
    async with stack_of(("user", "gym", "session"), data_dir=tmp_path, smtp=smtp, environ=environ) as stack:
        later = stack_of(("payment", "communication"), data_dir=tmp_path, smtp=smtp, environ=stack.environ, ports=ports)
        async with later:
            await gym(stack)
            await member(stack)
            booking = await booked(stack, guests=[{"email": GUEST_EMAIL}])
            await stack.mail_to(GUEST_EMAIL, "invited you")

        cancelled = await stack["session"].post(f"/internal/sessions/{booking['id']}/cancel", json={"reason": "Ill."})

        assert cancelled.status_code == 200, cancelled.text
        assert cancelled.json()["status"] == "CANCELLED"
        assert {row.operation for row in await pending_messages(stack)} == {"refund_credits", "session_event"}

        async with stack_of(
            ("payment", "communication"), data_dir=tmp_path, smtp=smtp, environ=stack.environ, ports=ports
        ):
            notice = await stack.mail_to(GUEST_EMAIL, "cancelled")
            await eventually(lambda: _no_pending(stack), what="the refund and the mail to be delivered")
            assert await balance(stack) == 30
            assert await ledger(stack, MEMBER) == [("DEBIT", PRICE, booking["id"]), ("REFUND", PRICE, booking["id"])]

        assert "Reason: Ill." in notice.body


async def _no_pending(stack: Stack) -> bool:
    return await pending_messages(stack) == []
