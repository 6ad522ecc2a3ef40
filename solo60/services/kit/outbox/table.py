"""The outbox table every service declares, and what a request does with it inside its transaction.

A row is a message to deliver: an operation (which delivery target takes it), a JSON payload,
and the bookkeeping the relays coordinate on (status, attempts, lease, next attempt, last
error). Enqueueing is an INSERT in the caller's own transaction, so the main change and the
message exist together or not at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from solo60 import correlation
from solo60.services.kit.storage import UtcDateTime, utc_now

PENDING = "PENDING"
DELIVERED = "DELIVERED"
FAILED = "FAILED"
TABLE_NAME = "outbox_messages"


def outbox_table(metadata: sa.MetaData) -> sa.Table:
    """The outbox, declared on a service's own metadata (and created by its migrations)."""
    return sa.Table(
        TABLE_NAME,
        metadata,
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("operation", sa.String(100), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("max_attempts", sa.Integer, nullable=True),  # None: the relay's policy decides
        sa.Column("next_attempt_at", UtcDateTime, nullable=False),
        sa.Column("lease_owner", sa.String(128), nullable=True),
        sa.Column("lease_until", UtcDateTime, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("correlation_id", sa.String(128), nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=True),
        sa.Column("delivered_at", UtcDateTime, nullable=True),
        sa.Index("ix_outbox_messages_due", "status", "next_attempt_at"),
        sa.Index("ix_outbox_messages_delivered_at", "delivered_at"),
    )


async def enqueue(
    session: AsyncSession,
    table: sa.Table,
    operation: str,
    payload: Mapping[str, Any],
    *,
    message_id: str | None = None,
    not_before: datetime | None = None,
    max_attempts: int | None = None,
) -> str:
    """Record a call to make, inside the caller's transaction; returns the message id.

    A `message_id` derived from the main action (e.g. `booking-<session id>-approval-mail`)
    makes enqueueing itself idempotent: a second enqueue of the same id changes nothing.
    `not_before` delays the first attempt (a hold released later, unless forgotten first);
    `max_attempts` fixes the message's patience now instead of leaving it to the relay.
    """
    identifier = message_id or str(uuid.uuid4())
    existing = await session.scalar(sa.select(table.c.id).where(table.c.id == identifier))
    if existing is None:
        now = utc_now()
        await session.execute(
            table.insert().values(
                id=identifier,
                operation=operation,
                payload=dict(payload),
                status=PENDING,
                attempts=0,
                max_attempts=max_attempts,
                next_attempt_at=not_before or now,
                correlation_id=correlation.correlation_id.get(),
                created_at=now,
                updated_at=now,
            )
        )
    return identifier


async def record_delivered(
    session: AsyncSession, table: sa.Table, operation: str, payload: Mapping[str, Any], *, message_id: str
) -> None:
    """Record a message the request itself delivered (one attempt, already done), beside the queued ones."""
    now = utc_now()
    await session.execute(
        table.insert().values(
            id=message_id,
            operation=operation,
            payload=dict(payload),
            status=DELIVERED,
            attempts=1,
            max_attempts=1,
            next_attempt_at=now,
            correlation_id=correlation.correlation_id.get(),
            created_at=now,
            updated_at=now,
            delivered_at=now,
        )
    )


async def forget(session: AsyncSession, table: sa.Table, message_id: str) -> bool:
    """Drop a message not yet delivered (e.g. a delayed release the main action made moot)."""
    result = await session.execute(
        table.delete().where(table.c.id == message_id, table.c.status == PENDING).returning(table.c.id)
    )
    return result.first() is not None


def idempotency_key_for(message_id: str) -> str:
    """The key every attempt at one message carries: the same across retries and relays."""
    return f"outbox-{message_id}"
