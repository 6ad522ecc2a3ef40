"""The communication service's tables and queries: the mail outbox, the recipient cache, notifications.

Every message, sent now or queued, is a row of the kit's outbox (`outbox_messages`, operation
`send_mail`): the mail itself (template, recipient, subject, body, caller) is its payload, and
its status, attempts and lease are what the relays coordinate on (`kit/outbox`). Mail speaks of
QUEUED and SENT where the outbox says PENDING and DELIVERED; `MailRecord` is the mail's view.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from solo60.contracts.communication import DeliveryStatus
from solo60.services.kit import UtcDateTime, idempotency_table, new_metadata, outbox_table, utc_now
from solo60.services.kit.events import events_seen_table
from solo60.services.kit.outbox import DELIVERED, FAILED, PENDING, enqueue, record_delivered

SEND_MAIL = "send_mail"
"""The outbox operation of a mail: the relay hands it to the SMTP target."""

QUEUED = DeliveryStatus.QUEUED.value
SENT = DeliveryStatus.SENT.value
MAIL_STATUS = {PENDING: QUEUED, DELIVERED: SENT, FAILED: DeliveryStatus.FAILED.value}
OUTBOX_STATUS = {mail: outbox for outbox, mail in MAIL_STATUS.items()}


class Base(DeclarativeBase):
    metadata = new_metadata()


@dataclass(frozen=True)
class Mail:
    """What a message says and to whom; the outbox payload of `send_mail`."""

    template_key: str
    subject: str
    body: str
    recipient_user_id: str | None = None
    recipient_email: str | None = None
    requested_by: str | None = None

    def payload(self) -> dict[str, Any]:
        return {
            "templateKey": self.template_key,
            "subject": self.subject,
            "body": self.body,
            "recipientUserId": self.recipient_user_id,
            "recipientEmail": self.recipient_email,
            "requestedBy": self.requested_by,
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Mail:
        return cls(
            template_key=payload["templateKey"],
            subject=payload["subject"],
            body=payload["body"],
            recipient_user_id=payload.get("recipientUserId"),
            recipient_email=payload.get("recipientEmail"),
            requested_by=payload.get("requestedBy"),
        )


@dataclass(frozen=True)
class MailRecord:
    """A message as `GET /internal/emails/{messageId}` tells it."""

    message_id: str
    template_key: str
    status: str
    attempts: int
    max_attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    sent_at: datetime | None
    created_at: datetime
    updated_at: datetime


class RecipientRow(Base):
    """A userId's address as the user service last gave it; no address means the user does not exist."""

    __tablename__ = "recipients"

    user_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    email: Mapped[str | None] = mapped_column(sa.String(254), nullable=True)
    fetched_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class NotificationRow(Base):
    __tablename__ = "notifications"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    category: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[str] = mapped_column(sa.String(200))
    message: Mapped[str] = mapped_column(sa.String(2000))
    data: Mapped[dict[str, str]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


metadata = Base.metadata
idempotency_records = idempotency_table(metadata)
outbox = outbox_table(metadata)
events_seen = events_seen_table(metadata)


# -- messages -------------------------------------------------------------------------------


async def queue_mail(session: AsyncSession, message_id: str, mail: Mail, *, max_attempts: int) -> None:
    """Queue a mail for the relay, in the request's transaction (a second queue of one id changes nothing)."""
    await enqueue(session, outbox, SEND_MAIL, mail.payload(), message_id=message_id, max_attempts=max_attempts)


async def record_sent(session: AsyncSession, message_id: str, mail: Mail) -> None:
    """Record a mail the request sent itself: one attempt, SENT."""
    await record_delivered(session, outbox, SEND_MAIL, mail.payload(), message_id=message_id)


async def replace_message(
    session: AsyncSession,
    message_id: str,
    mail: Mail,
    *,
    status: str,
    attempts: int,
    max_attempts: int,
    last_error: str | None,
    next_attempt_in: timedelta,
) -> None:
    """A message in any state, replacing one with the same id: provider states seed this way."""
    now = utc_now()
    await session.execute(outbox.delete().where(outbox.c.id == message_id))
    await session.execute(
        outbox.insert().values(
            id=message_id,
            operation=SEND_MAIL,
            payload=mail.payload(),
            status=OUTBOX_STATUS[status],
            attempts=attempts,
            max_attempts=max_attempts,
            next_attempt_at=now + next_attempt_in,
            last_error=last_error,
            created_at=now,
            updated_at=now,
            delivered_at=now if status == SENT else None,
        )
    )


async def find_message(session: AsyncSession, message_id: str, *, max_attempts: int) -> MailRecord | None:
    """The mail `message_id`; `max_attempts` is the relay's, for a row queued without its own."""
    row = (
        await session.execute(sa.select(outbox).where(outbox.c.id == message_id, outbox.c.operation == SEND_MAIL))
    ).first()
    if row is None:
        return None
    return MailRecord(
        message_id=row.id,
        template_key=row.payload["templateKey"],
        status=MAIL_STATUS[row.status],
        attempts=row.attempts,
        max_attempts=row.max_attempts or max_attempts,
        last_error=row.last_error,
        next_attempt_at=row.next_attempt_at if row.status == PENDING else None,
        sent_at=row.delivered_at,
        created_at=row.created_at,
        updated_at=row.updated_at or row.created_at,
    )


async def count_by_status(session: AsyncSession) -> dict[str, int]:
    """How many mails are QUEUED, SENT and FAILED."""
    rows = await session.execute(
        sa.select(outbox.c.status, sa.func.count()).where(outbox.c.operation == SEND_MAIL).group_by(outbox.c.status)
    )
    return {MAIL_STATUS[status]: count for status, count in rows.all()}


# -- recipients -----------------------------------------------------------------------------


async def find_recipient(session: AsyncSession, user_id: str) -> RecipientRow | None:
    return await session.get(RecipientRow, user_id, populate_existing=True)


async def remember_recipient(
    session: AsyncSession, *, user_id: str, email: str | None, fetched_at: datetime, expires_at: datetime
) -> None:
    """Insert or refresh the cache entry; an upsert, so two lookups of one user never collide."""
    values = {"user_id": user_id, "email": email, "fetched_at": fetched_at, "expires_at": expires_at}
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert(RecipientRow) if dialect == "postgresql" else sqlite.insert(RecipientRow)
    statement = insert.values(**values).on_conflict_do_update(
        index_elements=[RecipientRow.user_id],
        set_={"email": email, "fetched_at": fetched_at, "expires_at": expires_at},
    )
    await session.execute(statement)


# -- notifications --------------------------------------------------------------------------


async def add_notification(session: AsyncSession, **fields: Any) -> NotificationRow:
    row = NotificationRow(created_at=utc_now(), **fields)
    session.add(row)
    await session.flush()
    return row
