"""The SMTP adapter: hands messages to a mail server with aiosmtplib and sorts its failures.

A failure is either worth retrying (`MailServerUnavailable`: no connection, a timeout, a 4xx
reply) or final (`MailRejected`: a 5xx reply, such as an unknown mailbox). A connection is
kept open across the messages of one dispatcher pass, so each message costs only its own
MAIL/RCPT/DATA exchange, and the reply to DATA is the last network step before the
dispatcher records the message as sent.

Timeouts are per phase, as RFC 5321 4.5.3.2 advises: the commands (and connecting) wait
`timeout`, DATA's replies wait `data_timeout`, since a server may take minutes to answer the
end of a message it is checking. Giving up on that reply early is what sends a mail twice:
the server accepts it after we stopped listening, and the next attempt delivers it again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from email.message import EmailMessage

import aiosmtplib
from aiosmtplib.email import extract_recipients, extract_sender, flatten_message

logger = logging.getLogger("solo60.services.communication.mail")


class MailError(Exception):
    """The mail server did not take the message."""


class MailServerUnavailable(MailError):
    """Worth retrying later: the server is unreachable, slow, or answered with a temporary (4xx) failure."""


class MailRejected(MailError):
    """Final: the server refused the message for good (5xx), so another attempt would be refused too."""


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to connect; `start_tls=None` upgrades when the server offers STARTTLS."""

    host: str
    port: int
    username: str | None = None
    password: str | None = None
    use_tls: bool = False
    start_tls: bool | None = None
    timeout: float = 300.0
    """Connecting, the greeting and every command but DATA (RFC 5321: 5 minutes for MAIL and RCPT)."""
    data_timeout: float = 600.0
    """Each reply to DATA: the 354, and the one after the message (RFC 5321: 10 minutes)."""

    def describe(self) -> str:
        return f"smtp{'s' if self.use_tls else ''}://{self.host}:{self.port}"


class MailConnection:
    """One SMTP connection, opened on first use and reopened after any failure."""

    def __init__(self, server: SmtpServer) -> None:
        self.server = server
        self._client: aiosmtplib.SMTP | None = None

    async def send(self, message: EmailMessage) -> None:
        """Deliver one message; raises `MailServerUnavailable` or `MailRejected`."""
        try:
            client = await self._connected()
            await self._transact(client, message)
        except BaseException as error:
            await self._discard()
            if isinstance(error, Exception):
                raise classify(error) from error
            raise  # cancellation: the caller's deadline, not the server's fault

    async def _transact(self, client: aiosmtplib.SMTP, message: EmailMessage) -> None:
        """MAIL, RCPT and DATA, each with its phase's timeout (what `send_message` does with one)."""
        sender, recipients = extract_sender(message), extract_recipients(message)
        if sender is None or not recipients:
            raise MailRejected("the letter names no sender or no recipient")
        if client.is_ehlo_or_helo_needed:
            try:
                await client.ehlo()
            except aiosmtplib.SMTPHeloError:
                await client.helo()
        utf8 = not (sender + "".join(recipients)).isascii()
        if utf8 and not client.supports_extension("smtputf8"):
            raise MailRejected("the address needs SMTPUTF8, which this mail server does not offer")
        options = ["SMTPUTF8"] if utf8 else []
        eight_bit = client.supports_extension("8bitmime")
        if eight_bit:
            options.append("BODY=8BITMIME")
        encoding = "utf-8" if utf8 else "ascii"
        flat = flatten_message(message, utf8=utf8, cte_type="8bit" if eight_bit else "7bit")
        await client.mail(sender, options=options, encoding=encoding)
        refused: list[aiosmtplib.SMTPRecipientRefused] = []
        for recipient in recipients:
            try:
                await client.rcpt(recipient, encoding=encoding)
            except aiosmtplib.SMTPRecipientRefused as refusal:
                refused.append(refusal)
        if len(refused) == len(recipients):
            raise aiosmtplib.SMTPRecipientsRefused(refused)
        await client.data(flat, timeout=self.server.data_timeout)

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is None or not client.is_connected:
            return
        try:
            await asyncio.wait_for(client.quit(), timeout=self.server.timeout)
        except Exception:
            client.close()

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._client is not None and self._client.is_connected:
            return self._client
        server = self.server
        client = aiosmtplib.SMTP(
            hostname=server.host,
            port=server.port,
            username=server.username,
            password=server.password,
            use_tls=server.use_tls,
            start_tls=server.start_tls,
            timeout=server.timeout,
        )
        await client.connect()
        self._client = client
        return client

    async def _discard(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()


class SmtpTransport:
    """The mail server the service sends through."""

    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[MailConnection]:
        connection = MailConnection(self.server)
        try:
            yield connection
        finally:
            await connection.close()

    async def send(self, message: EmailMessage) -> None:
        """Deliver one message on a connection of its own."""
        async with self.connection() as connection:
            await connection.send(message)


def classify(error: Exception) -> MailError:
    """Which of the two failures an aiosmtplib (or socket) error is."""
    if isinstance(error, MailError):
        return error
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        codes = [refused.code for refused in error.recipients]
        text = "; ".join(f"{refused.code} {refused.message}" for refused in error.recipients)
        if codes and all(code >= 500 for code in codes):
            return MailRejected(f"the mail server refused the recipient: {text}")
        return MailServerUnavailable(f"the mail server deferred the recipient: {text}")
    if isinstance(error, aiosmtplib.SMTPAuthenticationError):
        return MailServerUnavailable(f"the mail server refused our credentials: {error.code} {error.message}")
    if isinstance(error, aiosmtplib.SMTPResponseException) and not isinstance(
        error, aiosmtplib.SMTPServerDisconnected | aiosmtplib.SMTPConnectError | aiosmtplib.SMTPTimeoutError
    ):
        if error.code >= 500:
            return MailRejected(f"the mail server refused the message: {error.code} {error.message}")
        return MailServerUnavailable(f"the mail server deferred the message: {error.code} {error.message}")
    if isinstance(error, aiosmtplib.SMTPException | OSError | TimeoutError):
        return MailServerUnavailable(f"mail server unavailable: {_describe(error)}")
    return MailServerUnavailable(f"mail server unavailable: unexpected {type(error).__name__}: {error}")


def _describe(error: Exception) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
