"""A real local SMTP server (aiosmtpd) that records what arrives, and waiting helpers for the mail tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from solo60.services.communication.mail_sink import LocalSmtpServer

WAIT_SECONDS = 30.0


@dataclass(frozen=True)
class ReceivedMail:
    """One message as the SMTP server got it."""

    envelope_to: list[str]
    message: EmailMessage

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    @property
    def outbox_id(self) -> str:
        return str(self.message["X-Solo60-Message-Id"])

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        return self.message.get_content()


@dataclass
class Mailbox:
    """The aiosmtpd handler: records accepted mail; can refuse recipients or stop mid-conversation."""

    received: list[ReceivedMail] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    """address -> SMTP reply that refuses it at RCPT, e.g. `550 5.1.1 No such user`."""
    on_rcpt: Callable[[int], Awaitable[None]] | None = None
    """Called (and awaited) before answering each RCPT, with how many messages were stored so far."""
    after_store: Callable[[int], Awaitable[None]] | None = None
    """Called (and awaited) after storing a message, before answering 250 to its DATA."""

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if self.on_rcpt is not None:
            await self.on_rcpt(len(self.received))
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        message = message_from_bytes(content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(ReceivedMail(envelope_to=list(envelope.rcpt_tos), message=message))
        if self.after_store is not None:
            await self.after_store(len(self.received))
        return "250 2.0.0 OK"

    def with_outbox_id(self, message_id: str) -> list[ReceivedMail]:
        return [mail for mail in self.received if mail.outbox_id == message_id]


class SmtpServer:
    """The test's mail server: start, stop (down), start again on the same port."""

    def __init__(self) -> None:
        self.mailbox = Mailbox()
        self.server = LocalSmtpServer(self.mailbox)

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def received(self) -> list[ReceivedMail]:
        return self.mailbox.received

    async def start(self) -> None:
        await self.server.start()

    async def stop(self) -> None:
        await self.server.stop()

    def environ(self, **extra: str) -> dict[str, str]:
        """What the communication service needs to send here, with quick retries for tests.

        The SMTP timeouts are scaled down (a dispatcher's lease is derived from them: 11 s here)."""
        return {
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(self.port),
            "SMTP_TIMEOUT_SECONDS": "1",
            "SMTP_DATA_TIMEOUT_SECONDS": "2",
            "SMTP_STARTTLS": "0",
            "MAIL_FROM": "Solo60 <no-reply@solo60.test>",
            "MAIL_DISPATCH_INTERVAL_SECONDS": "0.05",
            "MAIL_RETRY_BASE_SECONDS": "0.05",
            "MAIL_RETRY_MAX_SECONDS": "0.2",
            "MAIL_MAX_ATTEMPTS": "5",
            **extra,
        }


async def eventually(check: Callable[[], Awaitable[Any]], *, within: float = WAIT_SECONDS, what: str = "") -> Any:
    """Poll `check` until it returns something truthy; fail after `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {within:g} s waiting for {what or check}")
        await asyncio.sleep(0.02)


def email_to(address: str = "ada@example.com", template: str = "SESSION_APPROVED", **variables: object) -> dict:
    """A send body; SESSION_APPROVED's required variables are filled in unless given."""
    if template == "SESSION_APPROVED":
        variables = {"gymName": "Field Street Gym", "startsAt": "2025-01-02 18:00", **variables}
    return {"templateKey": template, "to": {"email": address}, "variables": variables}
