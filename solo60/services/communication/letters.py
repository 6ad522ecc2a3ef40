"""Rendered mail turned into an RFC 5322 message, with a Message-ID that never changes between attempts.

The Message-ID is derived from the outbox's messageId alone, so every attempt at one message
carries the same id: a receiver (or a person) can recognise a redelivery after a crash
for what it is.
"""

from __future__ import annotations

import email.policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from pydantic import TypeAdapter, ValidationError

from solo60.contracts.communication import MailboxAddress
from solo60.services.kit import utc_now

MESSAGE_ID_HEADER = "Message-ID"
OUTBOX_ID_HEADER = "X-Solo60-Message-Id"
TEMPLATE_HEADER = "X-Solo60-Template"
_MAILBOX: TypeAdapter[str] = TypeAdapter(MailboxAddress)


def message_id_header(message_id: str, domain: str) -> str:
    return f"<{message_id}@{domain}>"


def sender_domain(sender: str) -> str:
    """The domain of the From address, which the Message-IDs are minted under."""
    address = parseaddr(sender)[1]
    if "@" not in address:
        raise ValueError(f"MAIL_FROM must contain an address such as no-reply@example.com, not {sender!r}")
    return address.rsplit("@", 1)[1]


def compose(
    *, message_id: str, sender: str, recipient: str, subject: str, body: str, template_key: str
) -> EmailMessage:
    """A plain-text message to one recipient; `recipient` must be one bare address."""
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = sender
    message["To"] = Address(addr_spec=recipient)
    message["Subject"] = subject
    message["Date"] = format_datetime(utc_now())
    message[MESSAGE_ID_HEADER] = message_id_header(message_id, sender_domain(sender))
    message[OUTBOX_ID_HEADER] = message_id
    message[TEMPLATE_HEADER] = template_key
    message.set_content(body, cte="quoted-printable")  # 7-bit safe, whatever the server supports
    return message


def is_mailbox_address(text: str) -> bool:
    """Whether `text` is one plain address we can put in an envelope (the contract's `MailboxAddress`)."""
    try:
        _MAILBOX.validate_python(text)
    except ValidationError:
        return False
    return True
