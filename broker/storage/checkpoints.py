"""SQLite: the write-ahead log is copied back into the database by a background thread, not by
the request whose commit happened to fill it.

In WAL mode SQLite checkpoints inside a commit once the log passes `wal_autocheckpoint` pages
(1,000 by default): that commit also writes the logged pages into the database file and syncs
both files. At the benchmark's scale a publish writes about twenty pages, so one publish in
fifty paid 4-5 ms more for its commit (its p95 and p99 carried them). Here the requests'
connections checkpoint only past a far larger log (a safety net, should this thread stop), and a
thread runs a PASSIVE checkpoint each second instead: it never waits for readers or writers, and
what it cannot copy yet it copies on a later round.

PostgreSQL has its own checkpointer; nothing runs there.
"""

from __future__ import annotations

import logging
import threading

from broker.storage.database import Database

logger = logging.getLogger("broker.storage")

INTERVAL_SECONDS = 1.0


class Checkpointer:
    """Start after the database is migrated; stop before it is disposed."""

    def __init__(self, database: Database, interval: float = INTERVAL_SECONDS) -> None:
        self.database = database
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.checkpoints = 0

    def start(self) -> None:
        if not self.database.is_sqlite:
            return
        self._thread = threading.Thread(target=self._run, name="broker-checkpoints", daemon=True)
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=15)
            self._thread = None
        self._stop.clear()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.checkpoint()
            except Exception:  # a failed round is retried on the next; the safety net still holds
                logger.exception("WAL checkpoint failed")

    def checkpoint(self) -> tuple[int, int]:
        """One PASSIVE checkpoint: (pages in the log, pages copied into the database)."""
        raw = self.database.engine.raw_connection()  # autocommit: a checkpoint runs outside a transaction
        try:
            _busy, logged, copied = raw.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        finally:
            raw.close()
        self.checkpoints += 1
        return int(logged), int(copied)
