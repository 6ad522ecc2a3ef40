"""The relay: delivers due outbox messages to their targets, in the service or as its own process.

Delivery is at least once: a relay that dies after the target acted and before it recorded
the delivery leaves the message to be delivered again once its lease expires. Every call to
another service therefore carries an `Idempotency-Key` derived from the message id (stable
across attempts, relays and restarts), and the targets (send-async, allocate, refund...)
return the first result for a repeated key: at least once delivered, exactly once in effect.
A target without idempotent submission (SMTP) narrows the window instead: the outcome is
recorded in its own commit right after the target's answer, and the lease outlives the
delivery deadline, so a delivery is never taken over while it runs.

Several relays may run against one database (replicas, or `python -m` processes): the claim
settles who delivers each message (`store.py`).

A target that can have several messages under way at once says how many (`in_flight`, see
`targets.py`; the message broker, whose publisher confirms arrive in any order): the relay
claims that many of its due messages in one commit, sends them together, awaits their answers
together and records the deliveries in one commit. Messages are still taken in due order, a
batch at a time; a target without `in_flight` gets one message at a time, as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
import uuid
from collections.abc import Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from solo60 import correlation
from solo60.services.kit.database import Database
from solo60.services.kit.outbox.policy import RelaySettings, RetryPolicy
from solo60.services.kit.outbox.store import OutboxStore
from solo60.services.kit.outbox.table import FAILED
from solo60.services.kit.outbox.targets import (
    Deliver,
    DeliveryTarget,
    OutboxMessage,
    PermanentFailure,
    Send,
    TargetUnavailable,
    as_target,
)

logger = logging.getLogger("solo60.services.outbox")

STOP_GRACE_SECONDS = 10.0
STOP_POLL_SECONDS = 0.5
MAX_IDLE_BACKOFF_SECONDS = 60.0


def relay_name() -> str:
    """Unique per relay, readable in the lease column: host, process, and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class RelayReport:
    """What one pass (or a drain) did."""

    looked_at: int = 0
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    unavailable: set[str] = field(default_factory=set)
    """Operations whose target was down in this pass."""
    errors: list[str] = field(default_factory=list)

    @property
    def did_anything(self) -> bool:
        return bool(self.delivered or self.retried or self.failed)

    def add(self, other: RelayReport) -> None:
        self.looked_at += other.looked_at
        self.delivered += other.delivered
        self.retried += other.retried
        self.failed += other.failed
        self.unavailable |= other.unavailable
        self.errors += other.errors


class OutboxRelay:
    """Delivers due messages, in due order, each to the target of its operation (a batch at once if it can)."""

    def __init__(
        self,
        db: Database,
        table: sa.Table,
        handlers: Mapping[str, Deliver | DeliveryTarget],
        *,
        policy: RetryPolicy | None = None,
        lease: timedelta = timedelta(seconds=60),
        deadline: timedelta | None = None,
        batch: int = 50,
        idle_seconds: float = 1.0,
        name: str | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.name = name or relay_name()
        self.policy = policy or RetryPolicy()
        self.store = OutboxStore(db, table, owner=self.name, lease=lease, max_attempts=self.policy.max_attempts)
        self.targets = {operation: as_target(handler) for operation, handler in handlers.items()}
        self.deadline = deadline or lease / 2
        """The longest one delivery may take: well inside the lease, so nobody else takes it over meanwhile."""
        self.batch = batch
        self.idle_seconds = idle_seconds
        self.rng = rng or random.Random()
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._passing = asyncio.Lock()

    @classmethod
    def from_settings(
        cls, settings: Any, db: Database, table: sa.Table, handlers: Mapping[str, Deliver | DeliveryTarget]
    ) -> OutboxRelay:
        """A relay whose patience comes from the service's environment (see `RelaySettings`)."""
        chosen = RelaySettings.from_settings(settings)
        return cls(db, table, handlers, policy=chosen.policy, idle_seconds=chosen.idle_seconds)

    def wake(self) -> None:
        """Deliver now rather than at the next poll (call after committing an enqueue)."""
        self._wake.set()

    def request_stop(self) -> None:
        """Make `run()` return after the pass under way (a signal handler of a relay process calls this)."""
        self._stop.set()
        self._wake.set()

    async def deliver_due(self, limit: int | None = None) -> RelayReport:
        """One pass over what is due now (up to the batch size)."""
        async with self._passing:
            report = RelayReport()
            report.failed += await self.store.fail_exhausted()
            due = await self.store.due(limit or self.batch)
            report.looked_at = len(due)
            async with AsyncExitStack() as connections:
                senders: dict[int, Send] = {}
                waiting = list(due)
                while waiting:
                    operation = waiting[0][1]
                    batch = _leading_run(waiting, operation, self._in_flight(operation, senders))
                    waiting = waiting[len(batch) :]
                    if operation in report.unavailable:
                        continue  # its target is down: leave the rest for the next pass
                    messages = await self.store.claim_many(batch)  # those another relay took are left out
                    if messages:
                        await self._attempt_together(messages, connections, senders, report)
            return report

    async def drain(self, max_passes: int = 10_000) -> RelayReport:
        """Passes until nothing due is left or a target is down; the totals."""
        total = RelayReport()
        for _ in range(max_passes):
            report = await self.deliver_due()
            total.add(report)
            if report.unavailable or not report.did_anything:
                break
        return total

    def start(self) -> None:
        if self._task is None:
            self._stop.clear()
            self._task = asyncio.create_task(self.run(), name="solo60-outbox-relay")

    async def run(self) -> None:
        """Deliver until stopped: at once again while there is work, else after `idle_seconds` or a wake."""
        failures = 0
        while not self._stop.is_set():
            try:
                report = await self.deliver_due()
            except asyncio.CancelledError:
                raise
            except Exception:  # the relay must outlive a database hiccup
                failures += 1
                logger.exception("outbox relay %s: pass failed (%d in a row)", self.name, failures)
                await self._idle(min(self.idle_seconds * 2**failures, MAX_IDLE_BACKOFF_SECONDS))
                continue
            failures = 0
            if report.did_anything:
                logger.info(
                    "outbox relay %s: delivered %d, retrying %d, failed %d",
                    self.name,
                    report.delivered,
                    report.retried,
                    report.failed,
                )
                if not report.unavailable:
                    continue  # more may be due right away
            await self._idle(self.idle_seconds)

    async def stop(self, *, grace_seconds: float = STOP_GRACE_SECONDS) -> None:
        """Stop between passes (a pass under way may finish, within the grace), then for sure.

        Cancelling inside a database call can leave an aiosqlite query running past the loop,
        so the pass under way is let finish; and the task is cancelled until it is done, since a
        single cancellation can be lost when it meets the wake-up of the idle wait.
        """
        self._stop.set()
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

    async def _idle(self, seconds: float) -> None:
        self._wake.clear()
        if self._stop.is_set():
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wake.wait()

    def _in_flight(self, operation: str, senders: dict[int, Send]) -> int:
        """How many of `operation`'s messages to send together: one until its target's connection is open.

        The first message opens the connection alone, so a target that is down costs one
        attempt in a pass, not one per message of a batch.
        """
        target = self.targets.get(operation)
        if target is None or id(target) not in senders:
            return 1
        return max(1, int(getattr(target, "in_flight", 1)))

    async def _attempt_together(
        self, messages: list[OutboxMessage], connections: AsyncExitStack, senders: dict[int, Send], report: RelayReport
    ) -> None:
        """Send the batch concurrently, record its deliveries in one commit, then each failure."""
        outcomes = await asyncio.gather(*(self._attempt(message, connections, senders) for message in messages))
        sent = [message for message, outcome in zip(messages, outcomes, strict=True) if outcome is None]
        recorded = await self.store.delivered_many(sent)
        report.delivered += len(recorded)
        for message in sent:
            if message.id not in recorded:
                logger.warning("outbox relay %s lost its lease on %s while delivering it", self.name, message.id)
        for message, outcome in zip(messages, outcomes, strict=True):
            if outcome is not None:
                await self._failure(message, outcome, report)

    async def _attempt(
        self, message: OutboxMessage, connections: AsyncExitStack, senders: dict[int, Send]
    ) -> Exception | None:
        """Deliver one message; the exception that stopped it, or None once its target has it."""
        # The request that enqueued the message named the correlation id; the delivery carries it on.
        token = correlation.correlation_id.set(message.correlation_id or correlation.new_correlation_id())
        try:
            target = self.targets.get(message.operation)
            if target is None:
                raise PermanentFailure(f"no handler for operation {message.operation!r}")
            send = senders.get(id(target))
            if send is None:
                send = senders[id(target)] = await connections.enter_async_context(target.sender())
            async with asyncio.timeout(self.deadline.total_seconds()):
                await send(message)
        except Exception as error:
            return error
        finally:
            correlation.correlation_id.reset(token)
        return None

    async def _failure(self, message: OutboxMessage, error: Exception, report: RelayReport) -> None:
        if isinstance(error, PermanentFailure):
            await self.store.give_up(message, str(error))
            self._failed(report, message, str(error))
            logger.warning("outbox message %s failed for good: %s", message.id, error)
        elif isinstance(error, TimeoutError):
            await self._retry(message, f"delivery took longer than {self.deadline.total_seconds():g} s", report)
        elif isinstance(error, TargetUnavailable):
            target = self.targets.get(message.operation)
            report.unavailable |= {operation for operation, other in self.targets.items() if other is target}
            await self._retry(message, str(error), report)
        else:
            await self._retry(message, f"{type(error).__name__}: {error}", report)

    async def _retry(self, message: OutboxMessage, error: str, report: RelayReport) -> None:
        status = await self.store.retry_later(message, error, self.policy.delay_after(message.attempts, self.rng))
        if status == FAILED:
            self._failed(report, message, error)
        else:
            report.retried += 1
            report.errors.append(f"{message.id}: {error}")

    @staticmethod
    def _failed(report: RelayReport, message: OutboxMessage, error: str) -> None:
        report.failed += 1
        report.errors.append(f"{message.id}: {error}")


def _leading_run(due: list[tuple[str, str]], operation: str, limit: int) -> list[str]:
    """The ids of the first messages of `due` up to `limit`, as long as they are all `operation`'s."""
    run: list[str] = []
    for message_id, other in due[:limit]:
        if other != operation:
            break
        run.append(message_id)
    return run
