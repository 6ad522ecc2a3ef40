"""The subscription service's tables and queries.

Besides the subscriptions themselves it keeps every gateway event received, and the notices
(renewal reminder, trial ending) that are due or sent: one row per subscription, kind and date,
so the due-jobs runner can claim each notice once however often it runs. The outbox holds the
calls made after a change (mails, credit allocations) until they are delivered.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, InstrumentedAttribute, Mapped, mapped_column

from solo60.services.kit import UtcDateTime, idempotency_table, insert_or_ignore, new_metadata, outbox_table, utc_now


class Base(DeclarativeBase):
    metadata = new_metadata()


class SubscriptionRow(Base):
    __tablename__ = "subscriptions"
    __table_args__ = (
        sa.CheckConstraint("status IN ('TRIALING', 'ACTIVE', 'PAST_DUE', 'CANCELLED', 'EXPIRED')", name="known_status"),
        sa.CheckConstraint("credits_per_month >= 0", name="credits_not_negative"),
        sa.CheckConstraint("current_period_end > current_period_start", name="period_not_empty"),
    )

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    plan: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[str] = mapped_column(sa.String(16))
    credits_per_month: Mapped[int] = mapped_column(sa.Integer)
    current_period_start: Mapped[datetime] = mapped_column(UtcDateTime)
    # Indexed for the due-jobs runner, which looks for renewals and trial ends a few days ahead.
    current_period_end: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    trial_ends_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True, index=True)
    cancel_at_period_end: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    past_due_since: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # What renewals charge: the gateway's card token (never a card number) and the price agreed at start.
    card_token: Mapped[str | None] = mapped_column(sa.String(255), nullable=True, default=None)
    price_cents: Mapped[int | None] = mapped_column(sa.Integer, nullable=True, default=None)
    currency: Mapped[str | None] = mapped_column(sa.String(3), nullable=True, default=None)

    @property
    def chargeable(self) -> bool:
        """Whether a renewal can be charged: a card on file and a price."""
        return self.card_token is not None and self.price_cents is not None and self.currency is not None


class SubscriptionEventRow(Base):
    """A gateway event as received, with what it did."""

    __tablename__ = "subscription_events"

    event_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(32))
    subscription_id: Mapped[str] = mapped_column(sa.ForeignKey("subscriptions.id"), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    outcome: Mapped[str] = mapped_column(sa.String(32))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SubscriptionNoticeRow(Base):
    """A notice owed to the member about a date (trial end, renewal); `sent_at` is set once it went out."""

    __tablename__ = "subscription_notices"
    __table_args__ = (sa.CheckConstraint("kind IN ('TRIAL_ENDING', 'RENEWAL_REMINDER')", name="known_kind"),)

    subscription_id: Mapped[str] = mapped_column(sa.ForeignKey("subscriptions.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    due_for: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


metadata = Base.metadata
idempotency_records = idempotency_table(metadata)
outbox = outbox_table(metadata)

LIVE = ("TRIALING", "ACTIVE", "PAST_DUE")

EVENT_OPERATION = "webhook-event"
"""The idempotency records' operation for gateway events, keyed by event id (unique across event types)."""


async def find_subscription(session: AsyncSession, subscription_id: str) -> SubscriptionRow | None:
    return await session.get(SubscriptionRow, subscription_id)


async def find_subscription_for_update(session: AsyncSession, subscription_id: str) -> SubscriptionRow | None:
    """The subscription, locked until the transaction ends, so concurrent events apply one after the other."""
    return await session.scalar(
        sa.select(SubscriptionRow).where(SubscriptionRow.id == subscription_id).with_for_update()
    )


async def latest_for_user(session: AsyncSession, user_id: str) -> SubscriptionRow | None:
    return await session.scalar(
        sa.select(SubscriptionRow)
        .where(SubscriptionRow.user_id == user_id)
        .order_by(SubscriptionRow.created_at.desc(), SubscriptionRow.id.desc())
        .limit(1)
    )


async def add_event(session: AsyncSession, **fields: Any) -> None:
    session.add(SubscriptionEventRow(received_at=utc_now(), **fields))
    await session.flush()


async def record_notice(session: AsyncSession, subscription_id: str, kind: str, due_for: datetime) -> None:
    """Note that a notice about `due_for` is owed; recording it again changes nothing."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(SubscriptionNoticeRow)
    statement = insert.values(subscription_id=subscription_id, kind=kind, due_for=due_for, recorded_at=utc_now())
    await session.execute(statement.on_conflict_do_nothing())


async def claim_notice(session: AsyncSession, subscription_id: str, kind: str, due_for: datetime) -> bool:
    """Mark the notice sent; True only for the one caller that did (the unique key settles races)."""
    now = utc_now()
    values = {"subscription_id": subscription_id, "kind": kind, "due_for": due_for, "recorded_at": now, "sent_at": now}
    if await insert_or_ignore(session, metadata.tables["subscription_notices"], values, conflict_on=_NOTICE_KEY):
        return True
    notice = SubscriptionNoticeRow
    result = await session.execute(
        sa.update(notice)
        .where(
            notice.subscription_id == subscription_id,
            notice.kind == kind,
            notice.due_for == due_for,
            notice.sent_at.is_(None),
        )
        .values(sent_at=now)
        .returning(notice.subscription_id)
    )
    return result.first() is not None  # recorded earlier (by a webhook) but not sent: this caller sends it


_NOTICE_KEY = ("subscription_id", "kind", "due_for")


async def live_for_user(session: AsyncSession, user_id: str) -> SubscriptionRow | None:
    return await session.scalar(
        sa.select(SubscriptionRow).where(SubscriptionRow.user_id == user_id, SubscriptionRow.status.in_(LIVE)).limit(1)
    )


async def with_period_ended(session: AsyncSession, now: datetime) -> list[SubscriptionRow]:
    """Live subscriptions whose current period (or trial) has ended by `now`: renewal, conversion or end is due."""
    result = await session.scalars(
        sa.select(SubscriptionRow)
        .where(SubscriptionRow.status.in_(LIVE), SubscriptionRow.current_period_end <= now)
        .order_by(SubscriptionRow.current_period_end, SubscriptionRow.id)
    )
    return list(result)


async def unsent_notice_candidates(
    session: AsyncSession,
    kind: str,
    moment: InstrumentedAttribute[datetime | None],
    status: str,
    now: datetime,
    until: datetime,
) -> list[SubscriptionRow]:
    """`status` subscriptions not cancelling whose `moment` lies in (now, until] and whose notice about it is unsent."""
    notice = SubscriptionNoticeRow
    sent = sa.exists().where(
        notice.subscription_id == SubscriptionRow.id,
        notice.kind == kind,
        notice.due_for == moment,
        notice.sent_at.is_not(None),
    )
    result = await session.scalars(
        sa.select(SubscriptionRow)
        .where(
            SubscriptionRow.status == status,
            SubscriptionRow.cancel_at_period_end.is_(False),
            moment > now,
            moment <= until,
            ~sent,
        )
        .order_by(moment, SubscriptionRow.id)
    )
    return list(result)


async def notices_of(session: AsyncSession, subscription_id: str) -> list[SubscriptionNoticeRow]:
    result = await session.scalars(
        sa.select(SubscriptionNoticeRow)
        .where(SubscriptionNoticeRow.subscription_id == subscription_id)
        .order_by(SubscriptionNoticeRow.due_for)
    )
    return list(result)


async def forget_subscriptions(session: AsyncSession, *, user_id: str, subscription_id: str | None = None) -> None:
    """Remove the user's subscriptions (and any with `subscription_id`), with their events and notices."""
    clause = SubscriptionRow.user_id == user_id
    if subscription_id is not None:
        clause = sa.or_(clause, SubscriptionRow.id == subscription_id)
    doomed = sa.select(SubscriptionRow.id).where(clause)
    events = sa.select(SubscriptionEventRow.event_id).where(SubscriptionEventRow.subscription_id.in_(doomed))
    records = idempotency_records
    await session.execute(sa.delete(records).where(records.c.operation == EVENT_OPERATION, records.c.key.in_(events)))
    await session.execute(sa.delete(SubscriptionNoticeRow).where(SubscriptionNoticeRow.subscription_id.in_(doomed)))
    await session.execute(sa.delete(SubscriptionEventRow).where(SubscriptionEventRow.subscription_id.in_(doomed)))
    await session.execute(sa.delete(SubscriptionRow).where(clause))


async def forget_event(session: AsyncSession, event_id: str) -> None:
    """Forget an event and its stored answer, wherever it belonged."""
    records = idempotency_records
    await session.execute(sa.delete(SubscriptionEventRow).where(SubscriptionEventRow.event_id == event_id))
    await session.execute(sa.delete(records).where(records.c.operation == EVENT_OPERATION, records.c.key == event_id))


async def add_subscription(session: AsyncSession, **fields: Any) -> SubscriptionRow:
    return await add(session, SubscriptionRow(**fields))


async def add(session: AsyncSession, row: SubscriptionRow) -> SubscriptionRow:
    row.created_at = row.updated_at = utc_now()
    session.add(row)
    await session.flush()
    return row
