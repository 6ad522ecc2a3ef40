"""Structured access logs: one JSON line per request naming caller, route, status and latency."""

from __future__ import annotations

import atexit
import json
import logging
import threading
import time
from collections import deque
from typing import Any

from starlette.types import Scope

access_logger = logging.getLogger("solo60.access")


def log_access(
    service: str, scope: Scope, status: int, started: float, caller: str | None, correlation_id: str
) -> None:
    """One access record for a finished request (run by `ConventionsMiddleware`); cheap when INFO is off."""
    if not access_logger.isEnabledFor(logging.INFO):
        return
    # makeRecord + handle is what `info` does, less the walk up the stack for the caller's file
    # and line (always this line, so never worth its cost per request).
    record = access_logger.makeRecord(
        access_logger.name,
        logging.INFO,
        __file__,
        0,
        "request",
        (),
        None,
        extra={
            "fields": {
                "service": service,
                "caller": caller,
                "method": scope["method"],
                "route": scope.get("solo60.route", scope["path"]),
                "path": scope["path"],
                "status": status,
                "latencyMs": round((time.perf_counter() - started) * 1000, 2),
                "correlationId": correlation_id,
            }
        },
    )
    access_logger.handle(record)


class JsonLogFormatter(logging.Formatter):
    """Renders a record and its `fields` as one JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        payload.update(getattr(record, "fields", {}))
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str)


class BatchingHandler(logging.Handler):
    """Keeps records in memory and has one thread render and write them every few milliseconds.

    A request only appends its record to a deque: the JSON encoding and the write to stderr
    happen on the writer thread, off the event loop. A queue handler that wakes a listener per
    record (the standard library's QueueHandler) moved the work but added a thread wake-up and
    a handover of the interpreter lock per request, which cost as much as the write it saved;
    here the writer wakes on a timer and writes everything waiting, in order. The records carry
    plain values (a message's arguments, which could change meanwhile, are merged into it at
    once), so they render later exactly as they would have now. `close` (also run at exit)
    writes whatever is still waiting.
    """

    def __init__(self, target: logging.Handler, *, interval: float = 0.02) -> None:
        super().__init__()
        self.target = target
        self.interval = interval
        self._pending: deque[logging.LogRecord] = deque()
        self._stopped = threading.Event()
        self._writer = threading.Thread(target=self._write_periodically, name="solo60-log-writer", daemon=True)
        self._writer.start()

    def handle(self, record: logging.LogRecord) -> bool:
        # No handler lock: appending to a deque is atomic, and only the writer thread pops.
        if record.args:
            record.msg, record.args = record.getMessage(), None
        self._pending.append(record)
        return True

    def emit(self, record: logging.LogRecord) -> None:
        self.handle(record)

    def flush(self) -> None:
        pending = self._pending
        while pending:
            self.target.handle(pending.popleft())
        self.target.flush()

    def close(self) -> None:
        self._stopped.set()
        if self._writer.is_alive() and self._writer is not threading.current_thread():
            self._writer.join(timeout=5)
        self.flush()
        super().close()

    def _write_periodically(self) -> None:
        while not self._stopped.wait(self.interval):
            if self._pending:
                self.flush()


_writer: BatchingHandler | None = None


def configure_logging(level: int = logging.INFO) -> None:
    """JSON lines on stderr for the solo60 loggers, rendered and written off the event loop; idempotent.

    Everything logged is written before the process exits (see `BatchingHandler`).
    """
    global _writer
    root = logging.getLogger("solo60")
    if _writer is not None:
        return
    stderr = logging.StreamHandler()
    stderr.setFormatter(JsonLogFormatter())
    _writer = BatchingHandler(stderr)
    atexit.register(_writer.close)
    root.addHandler(_writer)
    root.setLevel(level)
    root.propagate = False
