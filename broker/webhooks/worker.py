"""The background worker that runs triggered webhooks, with retries on the configured schedule.

Every broker instance runs one. An attempt is claimed in the database with a lease (who, until
when), so with several instances on one PostgreSQL each attempt runs on exactly one of them; if
that instance dies mid-attempt, the lease runs out and a survivor takes the attempt over. A
delivery that reached the receiver just before its instance died is therefore sent again: on
the wire the guarantee is at-least-once, with the repeat confined to attempts in flight at the
crash (their execution log says so); every attempt carries the same `X-Pact-Broker-Delivery` id,
so a receiver that remembers ids handles each event exactly once.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import timedelta

import sqlalchemy as sa

from broker.config import WebhookPolicy
from broker.storage.database import Database
from broker.storage.schema import utcnow
from broker.webhooks import repository
from broker.webhooks.executor import WebhookExecutor

logger = logging.getLogger("broker.webhooks")

POLL_SECONDS = 1.0


def instance_name() -> str:
    """Who holds a lease, as an operator reading the table would want to see it."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class WebhookWorker:
    def __init__(self, database: Database, executor: WebhookExecutor, policy: WebhookPolicy) -> None:
        self.database = database
        self.executor = executor
        self.policy = policy
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.instance = instance_name()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="broker-webhooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=15)

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            pause = POLL_SECONDS
            try:
                self.run_due()
                pause = self._seconds_until_next_attempt()
            except Exception:  # a broken job must not stop the worker
                logger.exception("webhook worker iteration failed")
            self._wake.wait(pause)
            self._wake.clear()

    def _seconds_until_next_attempt(self) -> float:
        with self.database.reading() as connection:
            upcoming = repository.next_attempt_at(connection)
        if upcoming is None:
            return POLL_SECONDS
        return min(POLL_SECONDS, max(0.01, (upcoming - utcnow()).total_seconds()))

    def run_due(self, limit: int = 20) -> int:
        """Claim and execute due attempts, one at a time, up to `limit`; returns how many ran."""
        attempts = 0
        while attempts < limit and not self._stop.is_set():
            now = utcnow()
            with self.database.writing() as connection:
                claim = repository.claim_next(
                    connection, self.instance, now, now + timedelta(seconds=self.policy.lease_seconds)
                )
                webhook = repository.find_by_id(connection, claim.job.webhook_id) if claim is not None else None
            if claim is None:
                break
            attempts += 1
            if claim.taken_over_from is not None:
                logger.warning(
                    "webhook attempt %s of %s: taken over from %s, whose lease ran out before it recorded a result",
                    claim.attempt,
                    claim.job.uuid,
                    claim.taken_over_from,
                )
            if webhook is None:
                continue
            result = self.executor.execute(webhook.request, claim.job.context, claim.job.uuid)
            try:
                self._record(claim, result.success, result.logs)
            except sa.exc.IntegrityError:
                logger.info("webhook %s was deleted while it ran; its result is dropped", webhook.uuid)
        return attempts

    def _record(self, claim: repository.Claim, success: bool, logs: str) -> None:
        """Log the attempt and schedule the next one, or settle the job as success or failure;
        nothing, if this instance lost its lease meanwhile (the survivor's attempt is the one that counts)."""
        attempt_number = claim.attempt
        with self.database.writing() as connection:
            if success:
                status, next_at = "success", None
            elif attempt_number <= len(self.policy.retry_schedule):
                delay = self.policy.retry_schedule[attempt_number - 1]
                status, next_at = "retrying", utcnow() + timedelta(seconds=delay)
            else:
                status, next_at = "failure", None
            if not repository.finish_attempt(connection, claim, self.instance, status, next_at):
                logger.warning("webhook attempt %s of %s: lease lost, result dropped", attempt_number, claim.job.uuid)
                return
            if claim.taken_over_from is not None:
                logs = (
                    f"Attempt {attempt_number - 1} was claimed by broker instance {claim.taken_over_from}, which "
                    "stopped before recording its result; this attempt was taken over after its lease ran out.\n" + logs
                )
            repository.insert_execution(connection, claim.job.id, success, logs)
