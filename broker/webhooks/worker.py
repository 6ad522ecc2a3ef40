"""The background worker that runs triggered webhooks, with retries on the configured schedule."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import sqlalchemy as sa

from broker.config import WebhookPolicy
from broker.storage.database import Database
from broker.storage.schema import utcnow
from broker.webhooks import repository
from broker.webhooks.executor import WebhookExecutor
from broker.webhooks.models import TriggeredWebhook

logger = logging.getLogger("broker.webhooks")

POLL_SECONDS = 1.0
LEASE_SECONDS = 120


class WebhookWorker:
    def __init__(self, database: Database, executor: WebhookExecutor, policy: WebhookPolicy) -> None:
        self.database = database
        self.executor = executor
        self.policy = policy
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

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
        """Execute every job that is due now; returns how many attempts were made."""
        with self.database.reading() as connection:
            jobs = repository.due(connection, utcnow(), limit)
        attempts = 0
        for job in jobs:
            if self._stop.is_set():
                break
            if self._attempt(job):
                attempts += 1
        return attempts

    def _attempt(self, job: TriggeredWebhook) -> bool:
        with self.database.writing() as connection:
            if not repository.claim(connection, job, utcnow() + timedelta(seconds=LEASE_SECONDS)):
                return False
            webhook = repository.find_by_id(connection, job.webhook_id)
        if webhook is None:
            return False
        result = self.executor.execute(webhook.request, job.context)
        attempt_number = job.attempts + 1
        try:
            self._record(job, result.success, result.logs, attempt_number)
        except sa.exc.IntegrityError:
            logger.info("webhook %s was deleted while it ran; its result is dropped", webhook.uuid)
        return True

    def _record(self, job: TriggeredWebhook, success: bool, logs: str, attempt_number: int) -> None:
        """Log the attempt and schedule the next one, or settle the job as success or failure."""
        with self.database.writing() as connection:
            repository.insert_execution(connection, job.id, success, logs)
            if success:
                repository.finish_attempt(connection, job.id, "success", None)
            elif attempt_number <= len(self.policy.retry_schedule):
                delay = self.policy.retry_schedule[attempt_number - 1]
                repository.finish_attempt(connection, job.id, "retrying", utcnow() + timedelta(seconds=delay))
            else:
                repository.finish_attempt(connection, job.id, "failure", None)
