"""The SMTP delivery target of the kit's outbox: how a queued mail reaches the mail server.

The relay (`kit/outbox`) claims each due `send_mail` message under a lease, hands it to this
target and records the outcome in its own commit right after the server's reply. What this
module adds is the mail: the recipient looked up before sending, the letter composed, one SMTP
connection kept open across a pass (no QUIT in between), and the server's answers sorted into
the outbox's outcomes.

Delivery guarantee: at least once, and exactly once unless one of two windows opens. SMTP has
no idempotent submission: once the server has answered 250 to DATA, the message is its
responsibility, and the only record of that answer is the UPDATE that follows.

1. The relay dies (or loses its database) after the server accepted the message and before
   that UPDATE commits: the lease expires and another attempt sends the message again. The
   window is the reply's arrival plus one primary-key UPDATE (the lookup and the rendering
   happen before sending).
2. The server accepts the message but its reply to the end of DATA takes longer than
   `SMTP_DATA_TIMEOUT_SECONDS` (10 minutes by default, what RFC 5321 4.5.3.2 asks a client to
   wait) or never arrives: the attempt counts as failed and is retried (RFC 1047 describes
   this gap).

Nothing else sends a message twice: the timeouts are per SMTP phase, and the relay's lease is
derived from them (`MailConfig.send_budget`), so no other relay takes over a send that is still
under way, however slow the server, and the relay's own deadline never cuts one short. The
Message-ID is derived from the message id, so a redelivery carries the same Message-ID and any
receiver can recognise and drop it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from solo60.services.communication.config import MailConfig
from solo60.services.communication.letters import compose, is_mailbox_address
from solo60.services.communication.mail_transport import MailRejected, MailServerUnavailable, SmtpTransport
from solo60.services.communication.recipients import RecipientCache, UnknownRecipient
from solo60.services.communication.storage import SEND_MAIL, Mail, outbox
from solo60.services.kit import Database
from solo60.services.kit.outbox import (
    OutboxMessage,
    OutboxRelay,
    PermanentFailure,
    RetryPolicy,
    Send,
    TargetUnavailable,
)


class RecipientLookupTooSlow(RuntimeError):
    """The user service did not give the address in time: retried later, nothing was sent."""


class MailTarget:
    """Sends `send_mail` messages through the mail server, one connection per relay pass."""

    def __init__(self, transport: SmtpTransport, recipients: RecipientCache, config: MailConfig) -> None:
        self.transport = transport
        self.recipients = recipients
        self.config = config

    @asynccontextmanager
    async def sender(self) -> AsyncIterator[Send]:
        async with self.transport.connection() as connection:

            async def send(message: OutboxMessage) -> None:
                mail = Mail.from_payload(message.payload)
                try:
                    letter = compose(
                        message_id=message.id,
                        sender=self.config.mail_from,
                        recipient=await self._bounded_address_of(mail),
                        subject=mail.subject,
                        body=mail.body,
                        template_key=mail.template_key,
                    )
                    await connection.send(letter)
                except (UnknownRecipient, MailRejected) as refused:
                    raise PermanentFailure(str(refused)) from refused
                except MailServerUnavailable as down:
                    raise TargetUnavailable(str(down)) from down

            yield send

    async def _bounded_address_of(self, mail: Mail) -> str:
        """The address, looked up within one SMTP command's time (as `MailConfig.send_budget` counts)."""
        limit = self.config.smtp_timeout_seconds
        try:
            async with asyncio.timeout(limit):
                return await self._address_of(mail)
        except TimeoutError:
            raise RecipientLookupTooSlow(f"looking up the recipient's address took longer than {limit:g} s") from None

    async def _address_of(self, mail: Mail) -> str:
        address = mail.recipient_email
        if address is None:
            assert mail.recipient_user_id is not None
            address = await self.recipients.email_of(mail.recipient_user_id)
        if not is_mailbox_address(address):
            raise MailRejected(f"{address!r} is not an address mail can be sent to")
        return address


def mail_relay(
    db: Database, transport: SmtpTransport, recipients: RecipientCache, config: MailConfig, *, name: str | None = None
) -> OutboxRelay:
    """The kit's relay for the mail outbox, as patient as the `MAIL_*` settings say."""
    return OutboxRelay(
        db,
        outbox,
        {SEND_MAIL: MailTarget(transport, recipients, config)},
        policy=RetryPolicy(config.max_attempts, config.retry_base_seconds, config.retry_max_seconds),
        lease=config.lease,
        deadline=config.delivery_deadline,
        batch=config.dispatch_batch,
        idle_seconds=config.dispatch_interval_seconds,
        name=name,
    )
