"""The communication service's tables and queries: the outbox of messages, the recipient cache, notifications.

Every message, sent now or queued, is a row of `email_messages`; its status, attempts and
lease are what the dispatchers coordinate on. The claim and the outcome are conditional
UPDATEs whose row counts say whether this dispatcher won: no lock is held while a mail is
being sent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from solo60.contracts.communication import DeliveryStatus
from solo60.services.kit import UtcDateTime, idempotency_table, new_metadata, utc_now

QUEUED = DeliveryStatus.QUEUED.value
SENT = DeliveryStatus.SENT.value
FAILED = DeliveryStatus.FAILED.value


class Base(DeclarativeBase):
    metadata = new_metadata()


class MessageRow(Base):
    __tablename__ = "email_messages"
    __table_args__ = (sa.Index("ix_email_messages_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    template_key: Mapped[str] = mapped_column(sa.String(64))
    recipient_user_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    recipient_email: Mapped[str | None] = mapped_column(sa.String(254), nullable=True)
    subject: Mapped[str] = mapped_column(sa.String(1000))
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16))
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(sa.Integer)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    lease_owner: Mapped[str | None] = mapped_column(sa.String(128), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(sa.String(1000), nullable=True)
    requested_by: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    correlation_id: Mapped[str | None] = mapped_column(sa.String(128), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    @property
    def message_id(self) -> str:
        return self.id


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


# -- messages -------------------------------------------------------------------------------


async def add_message(session: AsyncSession, **fields: Any) -> MessageRow:
    now = utc_now()
    fields.setdefault("created_at", now)
    fields.setdefault("updated_at", now)
    row = MessageRow(**fields)
    session.add(row)
    await session.flush()
    return row


async def replace_message(session: AsyncSession, **fields: Any) -> MessageRow:
    """Insert a message, first removing one with the same id: provider states seed this way."""
    await session.execute(sa.delete(MessageRow).where(MessageRow.id == fields["id"]))
    return await add_message(session, **fields)


async def find_message(session: AsyncSession, message_id: str) -> MessageRow | None:
    return await session.get(MessageRow, message_id)


async def due_message_ids(session: AsyncSession, *, now: datetime, limit: int) -> list[str]:
    """Queued messages whose next attempt is due and that no live lease holds, oldest due first."""
    rows = await session.scalars(
        sa.select(MessageRow.id)
        .where(
            MessageRow.status == QUEUED,
            MessageRow.next_attempt_at <= now,
            MessageRow.attempts < MessageRow.max_attempts,
            sa.or_(MessageRow.lease_expires_at.is_(None), MessageRow.lease_expires_at <= now),
        )
        .order_by(MessageRow.next_attempt_at, MessageRow.id)
        .limit(limit)
    )
    return list(rows)


async def claim_message(
    session: AsyncSession, message_id: str, *, owner: str, now: datetime, lease_until: datetime
) -> MessageRow | None:
    """Take the message for one attempt, or None if another dispatcher holds it or it is no longer due.

    The WHERE clause repeats the due conditions, so of two dispatchers racing for one row only
    the first UPDATE matches (PostgreSQL re-checks the condition once the first commits; SQLite
    runs one writer at a time). The attempt is counted here, before sending: a message that
    crashes its dispatcher still runs out of attempts.
    """
    changed = await _changed(
        session,
        sa.update(MessageRow)
        .where(
            MessageRow.id == message_id,
            MessageRow.status == QUEUED,
            MessageRow.next_attempt_at <= now,
            MessageRow.attempts < MessageRow.max_attempts,
            sa.or_(MessageRow.lease_expires_at.is_(None), MessageRow.lease_expires_at <= now),
        )
        .values(
            attempts=MessageRow.attempts + 1,
            lease_owner=owner,
            lease_expires_at=lease_until,
            updated_at=now,
        )
        .execution_options(synchronize_session=False),
    )
    if changed != 1:
        return None
    return await session.scalar(
        sa.select(MessageRow).where(MessageRow.id == message_id).execution_options(populate_existing=True)
    )


async def finish_attempt(
    session: AsyncSession,
    message_id: str,
    *,
    owner: str,
    status: str,
    now: datetime,
    error: str | None = None,
    next_attempt_at: datetime | None = None,
) -> bool:
    """Record the outcome of this dispatcher's attempt; False if its lease was lost meanwhile."""
    values: dict[str, Any] = {
        "status": status,
        "lease_owner": None,
        "lease_expires_at": None,
        "updated_at": now,
        "next_attempt_at": next_attempt_at,
    }
    if status == SENT:
        values["sent_at"] = now
    if error is not None:
        values["last_error"] = error[:1000]
    changed = await _changed(
        session,
        sa.update(MessageRow)
        .where(MessageRow.id == message_id, MessageRow.status == QUEUED, MessageRow.lease_owner == owner)
        .values(**values)
        .execution_options(synchronize_session=False),
    )
    return changed == 1


async def fail_exhausted_messages(session: AsyncSession, *, now: datetime) -> int:
    """Queued messages with no attempt left and no live lease: their last attempt never reported back."""
    changed = await _changed(
        session,
        sa.update(MessageRow)
        .where(
            MessageRow.status == QUEUED,
            MessageRow.attempts >= MessageRow.max_attempts,
            sa.or_(MessageRow.lease_expires_at.is_(None), MessageRow.lease_expires_at <= now),
        )
        .values(
            status=FAILED,
            lease_owner=None,
            lease_expires_at=None,
            next_attempt_at=None,
            updated_at=now,
            last_error=sa.func.coalesce(MessageRow.last_error, "the last attempt did not report back"),
        )
        .execution_options(synchronize_session=False),
    )
    return changed


async def count_by_status(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(sa.select(MessageRow.status, sa.func.count()).group_by(MessageRow.status))
    return {status: count for status, count in rows.all()}


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


async def _changed(session: AsyncSession, statement: sa.Executable) -> int:
    """How many rows an UPDATE or DELETE changed: what the conditional statements are judged by."""
    result = cast(CursorResult[Any], await session.execute(statement))
    return result.rowcount
