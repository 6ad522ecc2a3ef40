"""The clean-up inside the broker, on a cron schedule (off by default).

Every instance runs the timer, but a run first tries the PostgreSQL advisory lock the clean takes
(`broker.cleanup.service.CLEAN_LOCK`) without waiting: with several instances one cleans and the
others log that they skipped.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from croniter import croniter

from broker.cleanup.report import summary
from broker.cleanup.service import CleanOptions, clean
from broker.config import SettingsError
from broker.storage.database import Database
from broker.storage.schema import utcnow

logger = logging.getLogger("broker")


def check_cron(expression: str) -> None:
    if not croniter.is_valid(expression):
        raise SettingsError(
            f"PACT_BROKER_DATABASE_CLEAN_CRON_SCHEDULE must be a cron expression like '15 2 * * *', got {expression!r}"
        )


class CleanSchedule:
    def __init__(self, database: Database, options: CleanOptions, cron: str) -> None:
        check_cron(cron)
        self.database = database
        self.options = options
        self.cron = cron
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def next_run(self, after: datetime) -> datetime:
        return croniter(self.cron, after).get_next(datetime)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="broker-clean", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=15)

    def _run(self) -> None:
        upcoming = self.next_run(utcnow())
        while not self._stop.wait(max(0.0, (upcoming - utcnow()).total_seconds())):
            try:
                logger.info("%s", summary(clean(self.database, self.options)))
            except Exception:  # a failed clean must not stop the schedule
                logger.exception("scheduled clean failed")
            upcoming = self.next_run(max(utcnow(), upcoming))
