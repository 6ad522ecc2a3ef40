"""Structured access logs: one JSON line per request naming caller, route, status and latency."""

from __future__ import annotations

import json
import logging
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
                access_logger.info(
                    "request",
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


def configure_logging(level: int = logging.INFO) -> None:
    """JSON lines on stderr for the solo60 loggers; idempotent."""
    root = logging.getLogger("solo60")
    if any(isinstance(handler.formatter, JsonLogFormatter) for handler in root.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLogFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False
