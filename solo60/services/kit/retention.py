"""Bounded growth: delivered outbox messages, idempotency records and the ids of events a consumer
acted on are deleted once past their retention.

Both tables gain a row per command, for ever, unless something removes what is no longer
needed. A delivered message is history once delivered; an idempotency record is needed as
long as a caller may still retry with its key: the client's deadline (seconds) and every
outbox relay's whole retry horizon (hours for mail), which the defaults exceed by far.
FAILED and PENDING messages are never deleted: they still need a person, or a delivery. A
consumer's seen event ids (`events_seen`) are kept as long as delivered messages: a duplicate
can only come while its producer may still republish, within the producer's retry horizon.

| variable | default | meaning |
| --- | --- | --- |
| `SOLO60_IDEMPOTENCY_RETENTION_DAYS` | `7` | how long a stored result answers a repeated key (at least an hour) |
| `SOLO60_OUTBOX_RETENTION_DAYS` | `7` | how long delivered outbox messages and consumed event ids are kept |
| `SOLO60_RETENTION_BATCH` | `1000` | rows deleted per transaction |

`solo60 jobs run-due` enforces it. Deleting goes in batches, each its own short transaction, so
a large backlog never holds a long lock; concurrent runs are safe (a row is deleted once, and on
PostgreSQL each run skips the rows another run has locked).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult

from solo60.environment import ConfigurationError
from solo60.services.kit.database import Database
from solo60.services.kit.outbox.table import DELIVERED

IDEMPOTENCY_DAYS = "SOLO60_IDEMPOTENCY_RETENTION_DAYS"
OUTBOX_DAYS = "SOLO60_OUTBOX_RETENTION_DAYS"
BATCH = "SOLO60_RETENTION_BATCH"
MIN_IDEMPOTENCY_RETENTION = timedelta(hours=1)


@dataclass(frozen=True)
class RetentionPolicy:
    idempotency: timedelta = timedelta(days=7)
    delivered: timedelta = timedelta(days=7)
    batch: int = 1000

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> RetentionPolicy:
        """The policy the variables above give; a bad value names its variable."""
        policy = cls(
            idempotency=_days(environ, IDEMPOTENCY_DAYS, cls.idempotency),
            delivered=_days(environ, OUTBOX_DAYS, cls.delivered),
            batch=_batch(environ),
        )
        if policy.idempotency < MIN_IDEMPOTENCY_RETENTION:
            raise ConfigurationError(
                f"{IDEMPOTENCY_DAYS} must keep results at least an hour: a caller retrying with its key "
                "after the record is gone would act twice"
            )
        return policy


@dataclass(frozen=True)
class Purged:
    """What one run deleted (or, dry, would delete) in one service's database."""

    service: str
    idempotency_records: int
    delivered_messages: int


async def purge(
    db: Database, tables: Mapping[str, sa.Table], *, now: datetime, policy: RetentionPolicy, dry_run: bool = False
) -> tuple[int, int]:
    """Delete (or count) what is past retention in the service's `idempotency_records` and `outbox_messages`."""
    records = tables.get("idempotency_records")
    messages = tables.get("outbox_messages")
    removed = [0, 0]
    if records is not None:
        old = records.c.created_at < now - policy.idempotency
        keys = (records.c.operation, records.c.key)
        removed[0] = await _purge(db, records, old, keys, policy.batch, dry_run)
    if messages is not None:
        old = sa.and_(messages.c.status == DELIVERED, messages.c.delivered_at < now - policy.delivered)
        removed[1] = await _purge(db, messages, old, (messages.c.id,), policy.batch, dry_run)
    return removed[0], removed[1]


async def _purge(
    db: Database,
    table: sa.Table,
    condition: sa.ColumnElement[bool],
    key: tuple[sa.Column[Any], ...],
    batch: int,
    dry_run: bool,
) -> int:
    if dry_run:
        async with db.read() as session:
            return int(await session.scalar(sa.select(sa.func.count()).select_from(table).where(condition)) or 0)
    total = 0
    while True:
        chosen = sa.select(*key).where(condition).limit(batch).with_for_update(skip_locked=True)
        row_key = key[0] if len(key) == 1 else sa.tuple_(*key)
        async with db.write() as session:
            result = cast(CursorResult[Any], await session.execute(sa.delete(table).where(row_key.in_(chosen))))
        total += result.rowcount
        if result.rowcount < batch:
            return total


async def purge_seen_events(
    db: Database, table: sa.Table, *, now: datetime, policy: RetentionPolicy, dry_run: bool = False
) -> int:
    """Delete (or count) the consumed event ids older than the delivered messages' retention."""
    old = table.c.seen_at < now - policy.delivered
    return await _purge(db, table, old, (table.c.message_id,), policy.batch, dry_run)


def _days(environ: Mapping[str, str], variable: str, default: timedelta) -> timedelta:
    raw = environ.get(variable, "").strip()
    if not raw:
        return default
    try:
        days = float(raw)
    except ValueError:
        days = -1.0
    if not 0 < days <= 3650:
        raise ConfigurationError(f"{variable} must be a number of days from 0 to 3650, not {raw!r}")
    return timedelta(days=days)


def _batch(environ: Mapping[str, str]) -> int:
    raw = environ.get(BATCH, "").strip() or "1000"
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 100_000:
        raise ConfigurationError(f"{BATCH} must be a whole number of rows from 1 to 100000, not {raw!r}")
    return int(raw)
