"""The relay's side of the outbox table: what is due, claiming under a lease, recording outcomes.

No lock is held while a message is delivered. A claim is a conditional UPDATE that repeats the
due conditions, counts the attempt and writes this relay's name and lease; of two relays
racing for one row only the first UPDATE matches (PostgreSQL re-checks the condition once the
first commits; SQLite runs one writer at a time). The outcome is another conditional UPDATE
that only the lease holder's matches, in its own commit right after the delivery, so a crash
re-delivers at most the messages in flight. The attempt is counted before delivering: a
message that crashes its relay still runs out of attempts, and `fail_exhausted` ends it.

`claim_many` and `delivered_many` do the same for several messages in one commit each: a
target that takes messages concurrently (the message broker) costs two commits per batch
instead of three per message.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from solo60.services.kit.database import Database
from solo60.services.kit.outbox.table import DELIVERED, FAILED, PENDING
from solo60.services.kit.outbox.targets import OutboxMessage
from solo60.services.kit.storage import utc_now

ERROR_LENGTH = 1000


class OutboxStore:
    """The outbox table as one relay (`owner`) sees it."""

    def __init__(self, db: Database, table: sa.Table, *, owner: str, lease: timedelta, max_attempts: int) -> None:
        self.db = db
        self.table = table
        self.owner = owner
        self.lease = lease
        self.max_attempts = max_attempts
        """Attempts for messages that were not given their own at enqueue."""

    def _limit(self) -> sa.ColumnElement[int]:
        return sa.func.coalesce(self.table.c.max_attempts, self.max_attempts)

    def _due(self, now: datetime) -> list[sa.ColumnElement[bool]]:
        table = self.table
        return [
            table.c.status == PENDING,
            table.c.next_attempt_at <= now,
            table.c.attempts < self._limit(),
            sa.or_(table.c.lease_until.is_(None), table.c.lease_until <= now),
        ]

    async def due(self, limit: int) -> list[tuple[str, str]]:
        """`(id, operation)` of the messages due now that no live lease holds, oldest due first."""
        table = self.table
        async with self.db.read() as session:
            rows = await session.execute(
                sa.select(table.c.id, table.c.operation)
                .where(*self._due(utc_now()))
                .order_by(table.c.next_attempt_at, table.c.id)
                .limit(limit)
            )
            return [(row.id, row.operation) for row in rows]

    async def claim(self, message_id: str) -> OutboxMessage | None:
        """Take the message for one attempt, or None if another relay holds it or it is no longer due."""
        claimed = await self.claim_many([message_id])
        return claimed[0] if claimed else None

    async def claim_many(self, message_ids: Sequence[str]) -> list[OutboxMessage]:
        """Take those of the messages still due for one attempt each, in one commit, in the order asked."""
        if not message_ids:
            return []
        now = utc_now()
        table = self.table
        async with self.db.write() as session:
            rows = (
                await session.execute(
                    table.update()
                    .where(table.c.id.in_(message_ids), *self._due(now))
                    .values(
                        attempts=table.c.attempts + 1,
                        lease_owner=self.owner,
                        lease_until=now + self.lease,
                        updated_at=now,
                    )
                    .returning(*table.c)
                )
            ).all()
        claimed = {row.id: self._message(row) for row in rows}
        return [claimed[message_id] for message_id in message_ids if message_id in claimed]

    def _message(self, row: sa.Row[Any]) -> OutboxMessage:
        return OutboxMessage(
            id=row.id,
            operation=row.operation,
            payload=dict(row.payload),
            attempts=row.attempts,
            max_attempts=row.max_attempts or self.max_attempts,
            correlation_id=row.correlation_id,
        )

    async def delivered(self, message: OutboxMessage) -> bool:
        """Record the delivery; False if this relay's lease was lost meanwhile (another may have it)."""
        now = utc_now()
        return await self._finish(message, status=DELIVERED, now=now, delivered_at=now)

    async def delivered_many(self, messages: Sequence[OutboxMessage]) -> set[str]:
        """Record several deliveries in one commit; the ids recorded (a lost lease leaves its message out)."""
        if not messages:
            return set()
        now = utc_now()
        table = self.table
        async with self.db.write() as session:
            rows = await session.execute(
                table.update()
                .where(
                    table.c.id.in_([message.id for message in messages]),
                    table.c.status == PENDING,
                    table.c.lease_owner == self.owner,
                )
                .values(status=DELIVERED, lease_owner=None, lease_until=None, updated_at=now, delivered_at=now)
                .returning(table.c.id)
            )
            return {row.id for row in rows}

    async def retry_later(self, message: OutboxMessage, error: str, delay: timedelta) -> str:
        """A temporary failure: due again after `delay`, or FAILED if that was the last attempt."""
        if message.last_attempt:
            await self.give_up(message, f"gave up after {message.attempts} attempts: {error}")
            return FAILED
        now = utc_now()
        await self._finish(message, status=PENDING, now=now, error=error, next_attempt_at=now + delay)
        return PENDING

    async def give_up(self, message: OutboxMessage, error: str) -> None:
        await self._finish(message, status=FAILED, now=utc_now(), error=error)

    async def fail_exhausted(self) -> int:
        """FAILED for messages with no attempt left and no live lease: their last attempt never reported back."""
        now = utc_now()
        table = self.table
        async with self.db.write() as session:
            return await _changed(
                session,
                table.update()
                .where(
                    table.c.status == PENDING,
                    table.c.attempts >= self._limit(),
                    sa.or_(table.c.lease_until.is_(None), table.c.lease_until <= now),
                )
                .values(
                    status=FAILED,
                    lease_owner=None,
                    lease_until=None,
                    updated_at=now,
                    last_error=sa.func.coalesce(table.c.last_error, "the last attempt did not report back"),
                ),
            )

    async def _finish(
        self,
        message: OutboxMessage,
        *,
        status: str,
        now: datetime,
        error: str | None = None,
        next_attempt_at: datetime | None = None,
        delivered_at: datetime | None = None,
    ) -> bool:
        table = self.table
        values: dict[str, Any] = {"status": status, "lease_owner": None, "lease_until": None, "updated_at": now}
        if error is not None:
            values["last_error"] = error[:ERROR_LENGTH]
        if next_attempt_at is not None:
            values["next_attempt_at"] = next_attempt_at
        if delivered_at is not None:
            values["delivered_at"] = delivered_at
        async with self.db.write() as session:
            changed = await _changed(
                session,
                table.update()
                .where(table.c.id == message.id, table.c.status == PENDING, table.c.lease_owner == self.owner)
                .values(**values),
            )
        return changed == 1


async def _changed(session: AsyncSession, statement: sa.Executable) -> int:
    """How many rows an UPDATE or DELETE changed: what the conditional statements are judged by."""
    result = cast(CursorResult[Any], await session.execute(statement))
    return result.rowcount
