"""A transactional outbox for calls that must not fail the main action and must not vanish.

A booking's notification mail, a subscription's credit allocation, a forwarded gateway
event: the caller enqueues the call in the same transaction as its own change, so both
exist or neither does, and answers at once. A relay (a background task of the service's
Runtime) delivers what is due through the typed clients, with exponential backoff and
jitter, and marks a message FAILED, with its error kept, on a permanent refusal or after the
last attempt.

Delivery is at least once: a relay that dies after the target acted and before it recorded
the delivery sends the call again once its lease expires. Every call therefore carries an
`Idempotency-Key` derived from the message id (stable across attempts, relays and
restarts), and the targets (send-async, allocate, refund...) return the first result for a
repeated key: at least once delivered, exactly once in effect.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

import sqlalchemy as sa
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from solo60 import correlation
from solo60.environment import ConfigurationError
from solo60.services.kit.database import Database
from solo60.services.kit.storage import UtcDateTime, utc_now

logger = logging.getLogger("solo60.services.outbox")

PENDING = "PENDING"
DELIVERED = "DELIVERED"
FAILED = "FAILED"
STOP_GRACE_SECONDS = 10.0
STOP_POLL_SECONDS = 0.5

T = TypeVar("T")

Deliver = Callable[[dict[str, Any], str], Awaitable[None]]
"""Delivers one message: `(payload, idempotency_key)`; raises to retry, `PermanentFailure` to give up."""


class PermanentFailure(Exception):
    """The target refused the call for good (e.g. a 404): retrying cannot help."""


def outbox_table(metadata: sa.MetaData) -> sa.Table:
    """The outbox, declared on a service's own metadata (and created by its migrations)."""
    return sa.Table(
        "outbox_messages",
        metadata,
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("operation", sa.String(100), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", UtcDateTime, nullable=False),
        sa.Column("lease_until", UtcDateTime, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("correlation_id", sa.String(128), nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("delivered_at", UtcDateTime, nullable=True),
        sa.Index("ix_outbox_messages_due", "status", "next_attempt_at"),
    )


async def enqueue(
    session: AsyncSession,
    table: sa.Table,
    operation: str,
    payload: Mapping[str, Any],
    *,
    message_id: str | None = None,
    not_before: datetime | None = None,
) -> str:
    """Record a call to make, inside the caller's transaction; returns the message id.

    A `message_id` derived from the main action (e.g. `booking-<session id>-approval-mail`)
    makes enqueueing itself idempotent: a second enqueue of the same id changes nothing.
    `not_before` delays the first attempt (a hold released later, unless forgotten first).
    """
    identifier = message_id or str(uuid.uuid4())
    now = utc_now()
    existing = await session.scalar(sa.select(table.c.id).where(table.c.id == identifier))
    if existing is None:
        await session.execute(
            table.insert().values(
                id=identifier,
                operation=operation,
                payload=dict(payload),
                status=PENDING,
                attempts=0,
                next_attempt_at=not_before or now,
                correlation_id=correlation.correlation_id.get(),
                created_at=now,
            )
        )
    return identifier


async def forget(session: AsyncSession, table: sa.Table, message_id: str) -> bool:
    """Drop a message not yet delivered (e.g. a delayed release the main action made moot)."""
    result = await session.execute(
        table.delete().where(table.c.id == message_id, table.c.status == PENDING).returning(table.c.id)
    )
    return result.first() is not None


def idempotency_key_for(message_id: str) -> str:
    """The key every attempt at one message carries: the same across retries and relays."""
    return f"outbox-{message_id}"


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    base_seconds: float = 1.0
    max_seconds: float = 300.0

    def delay_after(self, attempts: int, rng: random.Random) -> timedelta:
        """Between half and all of base * 2^(attempts-1), capped: spreads a burst of retries."""
        ceiling = min(self.max_seconds, self.base_seconds * 2 ** max(attempts - 1, 0))
        return timedelta(seconds=rng.uniform(ceiling / 2, ceiling))


class RelaySettings(BaseModel):
    """How an outbox relay retries, from `<SERVICE>_OUTBOX_*` or the shared `OUTBOX_*` variables.

    | variable | default | meaning |
    | --- | --- | --- |
    | `OUTBOX_IDLE_SECONDS` | `1.0` | how often an idle relay looks for due messages (unless woken) |
    | `OUTBOX_MAX_ATTEMPTS` | `8` | attempts before a message is FAILED (its error kept) |
    | `OUTBOX_RETRY_BASE_SECONDS` | `1.0` | wait after the first failure; doubles per attempt, with jitter |
    | `OUTBOX_RETRY_MAX_SECONDS` | `300` | the longest wait between two attempts |
    """

    idle_seconds: float = Field(default=1.0, gt=0, le=3600)
    max_attempts: int = Field(default=8, ge=1, le=100)
    retry_base_seconds: float = Field(default=1.0, ge=0, le=86_400)
    retry_max_seconds: float = Field(default=300.0, ge=0, le=7 * 86_400)

    @classmethod
    def from_settings(cls, settings: Any) -> RelaySettings:
        """A bad value stops the start-up, naming the variable it came from."""
        values: dict[str, str] = {}
        used: dict[str, str] = {}
        for field_name in cls.model_fields:
            suffix = field_name.upper()
            for variable in (f"{settings.service.upper()}_OUTBOX_{suffix}", f"OUTBOX_{suffix}"):
                raw = (settings.setting(variable) or "").strip()
                if raw:
                    values[field_name], used[field_name] = raw, variable
                    break
        try:
            return cls.model_validate(values, strict=False)
        except ValidationError as error:
            problems = "; ".join(
                f"{used.get(str(item['loc'][0]), item['loc'][0])}: {item['msg']}" for item in error.errors()
            )
            raise ConfigurationError(f"outbox relay settings: {problems}") from None

    @property
    def policy(self) -> RetryPolicy:
        return RetryPolicy(self.max_attempts, self.retry_base_seconds, self.retry_max_seconds)


@dataclass
class RelayReport:
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


class OutboxRelay:
    """Delivers due outbox messages; several relays (replicas) may run against one database."""

    def __init__(
        self,
        db: Database,
        table: sa.Table,
        handlers: Mapping[str, Deliver],
        *,
        policy: RetryPolicy | None = None,
        lease: timedelta = timedelta(seconds=60),
        batch: int = 50,
        idle_seconds: float = 1.0,
        rng: random.Random | None = None,
    ) -> None:
        self.db = db
        self.table = table
        self.handlers = dict(handlers)
        self.policy = policy or RetryPolicy()
        self.lease = lease
        self.batch = batch
        self.idle_seconds = idle_seconds
        self.rng = rng or random.Random()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._passing = asyncio.Lock()

    @classmethod
    def from_settings(
        cls, settings: Any, db: Database, table: sa.Table, handlers: Mapping[str, Deliver]
    ) -> OutboxRelay:
        """A relay whose patience comes from the service's environment (see `RelaySettings`)."""
        chosen = RelaySettings.from_settings(settings)
        return cls(db, table, handlers, policy=chosen.policy, idle_seconds=chosen.idle_seconds)

    def wake(self) -> None:
        """Deliver now rather than at the next poll (call after committing an enqueue)."""
        self._wake.set()

    async def deliver_due(self) -> RelayReport:
        """One pass over what is due now."""
        async with self._passing:
            report = RelayReport()
            for message_id in await self._due():
                claimed = await self._claim(message_id)
                if claimed is not None:
                    await self._deliver(claimed, report)
            return report

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="solo60-outbox-relay")

    async def stop(self, *, grace_seconds: float = STOP_GRACE_SECONDS) -> None:
        """Stop between passes (a pass under way may finish, within the grace), then for sure.

        Cancelling inside a database call can leave an aiosqlite query running past the loop,
        so the pass under way is let finish; and the task is cancelled until it is done, since a
        single cancellation can be lost when it meets the wake-up of the idle wait.
        """
        task, self._task = self._task, None
        if task is None:
            return
        try:
            async with asyncio.timeout(grace_seconds):
                await self._passing.acquire()
            between_passes = True
        except TimeoutError:
            between_passes = False  # a delivery hangs: stop it where it is
        try:
            while not task.done():
                task.cancel()
                await asyncio.wait({task}, timeout=STOP_POLL_SECONDS)
        finally:
            if between_passes:
                self._passing.release()

    async def _run(self) -> None:
        while True:
            try:
                await self.deliver_due()
            except asyncio.CancelledError:
                raise
            except Exception:  # the relay must outlive a database hiccup
                logger.exception("outbox relay pass failed; retrying")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.idle_seconds):
                    await self._wake.wait()

    async def _due(self) -> list[str]:
        now = utc_now()
        table = self.table
        async with self.db.read() as session:
            rows = await session.execute(
                sa.select(table.c.id)
                .where(
                    table.c.status == PENDING,
                    table.c.next_attempt_at <= now,
                    sa.or_(table.c.lease_until.is_(None), table.c.lease_until < now),
                )
                .order_by(table.c.next_attempt_at)
                .limit(self.batch)
            )
            return [row.id for row in rows]

    async def _claim(self, message_id: str) -> sa.Row[Any] | None:
        """Take the message under a lease; the WHERE clause settles races between relays."""
        now = utc_now()
        table = self.table
        async with self.db.write() as session:
            result = await session.execute(
                table.update()
                .where(
                    table.c.id == message_id,
                    table.c.status == PENDING,
                    sa.or_(table.c.lease_until.is_(None), table.c.lease_until < now),
                )
                .values(lease_until=now + self.lease, attempts=table.c.attempts + 1)
                .returning(table)
            )
            return result.first()

    async def _deliver(self, message: sa.Row[Any], report: RelayReport) -> None:
        handler = self.handlers.get(message.operation)
        token = correlation.correlation_id.set(message.correlation_id or correlation.new_correlation_id())
        try:
            if handler is None:
                raise PermanentFailure(f"no handler for operation {message.operation!r}")
            await handler(dict(message.payload), idempotency_key_for(message.id))
        except PermanentFailure as refusal:
            await self._finish(message.id, FAILED, error=str(refusal))
            report.failed += 1
            report.errors.append(f"{message.id}: {refusal}")
            logger.warning("outbox message %s failed for good: %s", message.id, refusal)
        except Exception as error:
            description = f"{type(error).__name__}: {error}"
            if message.attempts >= self.policy.max_attempts:
                await self._finish(
                    message.id, FAILED, error=f"gave up after {message.attempts} attempts: {description}"
                )
                report.failed += 1
            else:
                retry_at = utc_now() + self.policy.delay_after(message.attempts, self.rng)
                await self._finish(message.id, PENDING, error=description, next_attempt_at=retry_at)
                report.retried += 1
            report.errors.append(f"{message.id}: {description}")
        else:
            await self._finish(message.id, DELIVERED)
            report.delivered += 1
        finally:
            correlation.correlation_id.reset(token)

    async def _finish(
        self, message_id: str, status: str, *, error: str | None = None, next_attempt_at: Any = None
    ) -> None:
        now = utc_now()
        values: dict[str, Any] = {"status": status, "lease_until": None, "last_error": error}
        if status == DELIVERED:
            values["delivered_at"] = now
        if next_attempt_at is not None:
            values["next_attempt_at"] = next_attempt_at
        async with self.db.write() as session:
            await session.execute(self.table.update().where(self.table.c.id == message_id).values(**values))


def is_permanent(error: BaseException) -> bool:
    """A refusal retrying cannot change: a 4xx other than 401, 408 and 429.

    401 is retried: during a key rotation the target may briefly not know the caller's new key,
    and giving a mail up for good over that would lose it.
    """
    status = getattr(error, "status", None)
    return isinstance(status, int) and 400 <= status < 500 and status not in {401, 408, 429}


async def call_or_refuse(call: Awaitable[T]) -> T:
    """Run a client call and return its answer, a permanent refusal raised as `PermanentFailure`."""
    try:
        return await call
    except Exception as error:
        if is_permanent(error):
            raise PermanentFailure(f"{type(error).__name__}: {error}") from error
        raise
