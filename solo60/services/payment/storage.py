"""The payment service's tables and queries.

A user's balance lives in one `credit_accounts` row, changed only by conditional UPDATEs so
the database (its row lock and a CHECK constraint) rather than a read-then-write keeps it from
going negative. `credit_transactions` is the ledger, one row per movement with the balance it
left; `session_payments` sums what was debited and refunded per session, so refund limits are
enforced the same way. Credit counts are 64-bit, so no run of allocations can overflow them.
`gateway_events` keeps each event the gateway reported, and `outbox_messages` its forwarding.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from solo60.services.kit import UtcDateTime, idempotency_table, insert_or_ignore, new_metadata, outbox_table, utc_now


class Base(DeclarativeBase):
    metadata = new_metadata()


class CreditAccountRow(Base):
    __tablename__ = "credit_accounts"
    __table_args__ = (sa.CheckConstraint("balance >= 0", name="balance_not_negative"),)

    user_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    balance: Mapped[int] = mapped_column(sa.BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CreditTransactionRow(Base):
    __tablename__ = "credit_transactions"
    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("balance_after >= 0", name="balance_after_not_negative"),
        sa.CheckConstraint("type IN ('DEBIT', 'REFUND', 'ALLOCATION')", name="known_type"),
        # NULLs never clash, so only allocations (which carry both) are held to one per period.
        sa.UniqueConstraint("subscription_id", "period_start"),
    )

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    type: Mapped[str] = mapped_column(sa.String(16))
    amount: Mapped[int] = mapped_column(sa.Integer)
    balance_after: Mapped[int] = mapped_column(sa.BigInteger)
    session_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    subscription_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    period_start: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SessionPaymentRow(Base):
    __tablename__ = "session_payments"
    __table_args__ = (
        sa.CheckConstraint("debited > 0", name="debited_positive"),
        sa.CheckConstraint("refunded >= 0 AND refunded <= debited", name="refunded_within_debited"),
    )

    user_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    session_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    debited: Mapped[int] = mapped_column(sa.BigInteger)
    refunded: Mapped[int] = mapped_column(sa.BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ChargeRow(Base):
    __tablename__ = "charges"
    __table_args__ = (
        sa.CheckConstraint("amount_cents > 0", name="amount_positive"),
        sa.CheckConstraint("status IN ('SUCCEEDED', 'FAILED')", name="known_status"),
    )

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    amount_cents: Mapped[int] = mapped_column(sa.Integer)
    currency: Mapped[str] = mapped_column(sa.String(3))
    status: Mapped[str] = mapped_column(sa.String(16))
    failure_code: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    failure_reason: Mapped[str | None] = mapped_column(sa.String(500), nullable=True)
    gateway_charge_id: Mapped[str | None] = mapped_column(sa.String(255), nullable=True)
    description: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    subscription_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class GatewayEventRow(Base):
    """An event of the payment gateway, kept once per event id with what it said."""

    __tablename__ = "gateway_events"

    event_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(32))
    subscription_id: Mapped[str] = mapped_column(sa.String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)


metadata = Base.metadata
idempotency_records = idempotency_table(metadata)
outbox = outbox_table(metadata)


class DuplicateAllocation(Exception):
    """The subscription's credits for this period were already allocated."""


def new_id() -> str:
    return str(uuid.uuid4())


def _insert(session: AsyncSession, table: Any) -> Any:
    """An INSERT that knows ON CONFLICT, in the dialect of the session's database."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


async def find_account(session: AsyncSession, user_id: str) -> CreditAccountRow | None:
    return await session.get(CreditAccountRow, user_id)


async def ensure_account(session: AsyncSession, user_id: str) -> None:
    """Create the user's account at 0 unless it exists; a concurrent creator is not an error."""
    statement = _insert(session, CreditAccountRow).values(user_id=user_id, balance=0, updated_at=utc_now())
    await session.execute(statement.on_conflict_do_nothing(index_elements=["user_id"]))


async def take_from_balance(session: AsyncSession, user_id: str, amount: int) -> int | None:
    """Subtract `amount` if the balance covers it: the new balance, or None when it is short."""
    return await session.scalar(
        sa.update(CreditAccountRow)
        .where(CreditAccountRow.user_id == user_id, CreditAccountRow.balance >= amount)
        .values(balance=CreditAccountRow.balance - amount, updated_at=utc_now())
        .returning(CreditAccountRow.balance)
    )


async def add_to_balance(session: AsyncSession, user_id: str, amount: int) -> int:
    """Add `amount`, creating the account if needed; the new balance."""
    await ensure_account(session, user_id)
    balance = await session.scalar(
        sa.update(CreditAccountRow)
        .where(CreditAccountRow.user_id == user_id)
        .values(balance=CreditAccountRow.balance + amount, updated_at=utc_now())
        .returning(CreditAccountRow.balance)
    )
    assert balance is not None
    return balance


async def record_session_debit(session: AsyncSession, user_id: str, session_id: str, amount: int) -> None:
    """Count `amount` as paid for the session (a session may be paid for in several debits)."""
    statement = _insert(session, SessionPaymentRow).values(
        user_id=user_id, session_id=session_id, debited=amount, refunded=0, updated_at=utc_now()
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id", "session_id"],
            set_={"debited": SessionPaymentRow.debited + amount, "updated_at": utc_now()},
        )
    )


async def record_session_refund(session: AsyncSession, user_id: str, session_id: str, amount: int) -> bool:
    """Count `amount` as refunded if that stays within what was debited; False otherwise."""
    refunded = await session.scalar(
        sa.update(SessionPaymentRow)
        .where(
            SessionPaymentRow.user_id == user_id,
            SessionPaymentRow.session_id == session_id,
            SessionPaymentRow.refunded + amount <= SessionPaymentRow.debited,
        )
        .values(refunded=SessionPaymentRow.refunded + amount, updated_at=utc_now())
        .returning(SessionPaymentRow.refunded)
    )
    return refunded is not None


async def find_session_payment(session: AsyncSession, user_id: str, session_id: str) -> SessionPaymentRow | None:
    return await session.get(SessionPaymentRow, (user_id, session_id))


async def allocation_exists(session: AsyncSession, subscription_id: str, period_start: datetime) -> bool:
    found = await session.scalar(
        sa.select(CreditTransactionRow.id).where(
            CreditTransactionRow.subscription_id == subscription_id,
            CreditTransactionRow.period_start == period_start,
        )
    )
    return found is not None


async def add_transaction(session: AsyncSession, **fields: Any) -> CreditTransactionRow:
    """Append a ledger entry; the unique (subscription, period) settles racing allocations."""
    row = CreditTransactionRow(id=new_id(), created_at=utc_now(), **fields)
    session.add(row)
    try:
        await session.flush()
    except IntegrityError as error:
        if row.subscription_id is None:
            raise
        raise DuplicateAllocation(row.subscription_id) from error
    return row


async def add_charge(session: AsyncSession, **fields: Any) -> ChargeRow:
    row = ChargeRow(id=new_id(), created_at=utc_now(), **fields)
    session.add(row)
    await session.flush()
    return row


async def forget_user(session: AsyncSession, user_id: str) -> None:
    """Remove everything held about a user's credits: provider states start from a clean slate this way."""
    for table in (CreditTransactionRow, SessionPaymentRow, CreditAccountRow):
        await session.execute(sa.delete(table).where(table.user_id == user_id))


async def set_balance(session: AsyncSession, user_id: str, balance: int) -> None:
    """Give the user an account holding `balance` (an opening balance, without history)."""
    await forget_user(session, user_id)
    session.add(CreditAccountRow(user_id=user_id, balance=balance, updated_at=utc_now()))
    await session.flush()


async def forget_allocation(session: AsyncSession, subscription_id: str, period_start: datetime) -> None:
    await session.execute(
        sa.delete(CreditTransactionRow).where(
            CreditTransactionRow.subscription_id == subscription_id,
            CreditTransactionRow.period_start == period_start,
        )
    )


async def forget_idempotency_key(session: AsyncSession, operation: str, key: str) -> None:
    table = idempotency_records
    await session.execute(sa.delete(table).where(table.c.operation == operation, table.c.key == key))


async def keep_gateway_event(session: AsyncSession, **fields: Any) -> GatewayEventRow:
    """The event with this id: inserted now, or as first received (a concurrent redelivery is not an error)."""
    await insert_or_ignore(
        session, metadata.tables["gateway_events"], {**fields, "received_at": utc_now()}, conflict_on=["event_id"]
    )
    row = await session.get(GatewayEventRow, fields["event_id"], populate_existing=True)
    assert row is not None
    return row


async def find_gateway_event(session: AsyncSession, event_id: str) -> GatewayEventRow | None:
    return await session.get(GatewayEventRow, event_id)


async def outbox_message(session: AsyncSession, message_id: str) -> sa.Row[Any] | None:
    return (await session.execute(sa.select(outbox).where(outbox.c.id == message_id))).first()
