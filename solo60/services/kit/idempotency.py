"""`Idempotency-Key`: a repeated call returns the first result instead of acting twice.

The key is claimed by inserting its row *first*, in the same transaction as the work. The
unique constraint on (operation, key) is what settles a race: on PostgreSQL a concurrent
request with the same key blocks on the index until the first transaction ends, then fails
and reads the stored result; on SQLite writers are serialised by `BEGIN IMMEDIATE`. A
check-then-insert in two steps would let both requests act.

Failures (any raised `ServiceError`) roll back the work and the claim together, so a key is
only consumed by a success and a retry after, say, 402 is evaluated afresh.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from solo60.services.kit.binding import Reply
from solo60.services.kit.database import Database
from solo60.services.kit.errors import IdempotencyKeyReused

MAX_CLAIM_ATTEMPTS = 5


def idempotency_table(metadata: sa.MetaData) -> sa.Table:
    """The table of stored results, declared on a service's own metadata (and migrations)."""
    return sa.Table(
        "idempotency_records",
        metadata,
        sa.Column("operation", sa.String(64), primary_key=True),
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("response", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Index("ix_idempotency_records_created_at", "created_at"),  # retention finds the old ones
    )


class _KeyClaimed(Exception):
    """The claim insert lost to a concurrent request with the same key (not an error of the work)."""


@dataclass(frozen=True)
class StoredResult:
    status: int
    response: dict[str, Any]
    replayed: bool


def fingerprint(*parts: Any) -> str:
    """A stable digest of what was asked, to tell a replay from a reuse of the key."""
    canonical = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def run_once(
    db: Database,
    table: sa.Table,
    *,
    operation: str,
    key: str,
    request_fingerprint: str,
    work: Callable[[AsyncSession], Awaitable[tuple[int, dict[str, Any]]]],
) -> StoredResult:
    """Run `work` once per (operation, key); later calls with the same request get its result."""
    for _attempt in range(MAX_CLAIM_ATTEMPTS):
        stored = await _stored(db, table, operation, key)
        if stored is not None:
            return _replay(stored, request_fingerprint, key)
        try:
            async with db.write() as session:
                # No second look for the key inside the transaction: a result stored since the
                # read above makes this insert fail, and the next pass replays it. The common
                # case, a new key, saves a round trip.
                try:
                    await session.execute(
                        table.insert().values(
                            operation=operation,
                            key=key,
                            fingerprint=request_fingerprint,
                            status=0,
                            response={},
                            created_at=datetime.now(UTC),
                        )
                    )
                except IntegrityError:
                    raise _KeyClaimed from None
                status, response = await work(session)
                await session.execute(
                    table.update()
                    .where(table.c.operation == operation, table.c.key == key)
                    .values(status=status, response=response)
                )
                return StoredResult(status=status, response=response, replayed=False)
        except _KeyClaimed:
            continue  # another request claimed the key first: read its result
    raise RuntimeError(f"could not claim idempotency key {key!r} for {operation} after {MAX_CLAIM_ATTEMPTS} attempts")


async def _stored(db: Database, table: sa.Table, operation: str, key: str) -> sa.Row[Any] | None:
    async with db.read() as session:
        return (
            await session.execute(sa.select(table).where(table.c.operation == operation, table.c.key == key))
        ).first()


def _replay(row: sa.Row[Any], request_fingerprint: str, key: str) -> StoredResult:
    if row.fingerprint != request_fingerprint:
        raise IdempotencyKeyReused(
            f"Idempotency-Key {key!r} was already used with a different request; use a new key for a new request."
        )
    return StoredResult(status=row.status, response=dict(row.response), replayed=True)


REPLAYED_HEADER = "Idempotent-Replayed"


async def once_per_key(
    db: Database,
    table: sa.Table,
    *,
    operation: str,
    key: str,
    request: Any,
    status: int,
    work: Callable[[AsyncSession], Awaitable[Any]],
) -> Reply:
    """The handler-side form of `run_once`: `work` returns the reply model; replays say so in a header.

    `request` is everything that identifies what was asked (the body model, path ids...).
    """

    async def run(session: AsyncSession) -> tuple[int, dict[str, Any]]:
        model = await work(session)
        return status, model.model_dump(mode="json")

    result = await run_once(
        db, table, operation=operation, key=key, request_fingerprint=fingerprint(_plain(request)), work=run
    )
    return Reply(result.status, result.response, headers={REPLAYED_HEADER: "true"} if result.replayed else {})


def _plain(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value
