"""Structured access logs: one JSON line per request naming caller, route, status and latency."""

from __future__ import annotations

import atexit
import json
import logging
import logging.handlers
import queue
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from solo60 import correlation

access_logger = logging.getLogger("solo60.access")


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp, *, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            if access_logger.isEnabledFor(logging.INFO):
                # makeRecord + handle is what `info` does, less the walk up the stack for the
                # caller's file and line (always this line, so never worth its cost per request).
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
                            "service": self.service,
                            "caller": correlation.calling_service.get(),
                            "method": scope["method"],
                            "route": scope.get("solo60.route", scope["path"]),
                            "path": scope["path"],
                            "status": status,
                            "latencyMs": round((time.perf_counter() - started) * 1000, 2),
                            "correlationId": correlation.correlation_id.get(),
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


class _HandOver(logging.handlers.QueueHandler):
    """Puts the record itself on the queue: formatting and writing happen on the listener's thread.

        The stock QueueHandler formats the message before queueing it, on the request's path. The
        records here carry only plain values (`fields`: strings and numbers), so the listener can
        render them later exactly as they would have been rendered now (a message's arguments, which
    could change meanwhile, are merged into it here).
    """

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        if record.args:  # arguments might change before the listener renders them: render them now
            record.msg, record.args = record.getMessage(), None
        return record


_listener: logging.handlers.QueueListener | None = None


def configure_logging(level: int = logging.INFO) -> None:
    """JSON lines on stderr for the solo60 loggers, written off the event loop; idempotent.

    Each record is handed to a queue and rendered and written by one listener thread, so a
    request does not wait for a JSON encoding or a write to stderr. Everything queued is
    written before the process exits (the listener is stopped at exit, draining the queue).
    """
    global _listener
    root = logging.getLogger("solo60")
    if _listener is not None:
        return
    writer = logging.StreamHandler()
    writer.setFormatter(JsonLogFormatter())
    handover = _HandOver(queue.SimpleQueue())
    _listener = logging.handlers.QueueListener(handover.queue, writer)
    _listener.start()
    atexit.register(_listener.stop)
    root.addHandler(handover)
    root.setLevel(level)
    root.propagate = False
