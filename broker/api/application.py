"""The broker as an ASGI application: routing, auth, body limits, one transaction per request,
retries on database contention, errors as JSON, metrics and a structured access log.

Handlers are synchronous and run in a worker thread inside their transaction; nothing a client
sends can produce a traceback: domain errors become 4xx, unexpected ones a logged 500.
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

import anyio
import sqlalchemy as sa

from broker.api import errors as http_errors
from broker.api.admission import Admission
from broker.api.auth import authorize
from broker.api.links import Links
from broker.api.metrics import Metrics
from broker.api.openapi import build_document
from broker.api.requests import BrokerRequest
from broker.api.resources import build_router
from broker.api.responses import HalResponse, error
from broker.api.router import Operation, decode_segments
from broker.cleanup.schedule import CleanSchedule
from broker.cleanup.settings import options_from
from broker.config import BrokerSettings, SettingsError
from broker.errors import BrokerError, PayloadTooLargeError
from broker.nested_query import NestedQuery, whole_number
from broker.public_url import current_base_url
from broker.storage.checkpoints import Checkpointer
from broker.storage.database import Database
from broker.ui import UserInterface
from broker.webhooks.executor import WebhookExecutor
from broker.webhooks.repository import TRIGGERED_FLAG
from broker.webhooks.worker import WebhookWorker

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

access_log = logging.getLogger("broker.access")
logger = logging.getLogger("broker")

ATTEMPTS = 5
_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")


class _ClientGone(Exception):
    pass


@dataclass
class BrokerServices:
    """What resources may use beyond their request: shared, long-lived pieces."""

    settings: BrokerSettings
    database: Database
    executor: WebhookExecutor
    worker: WebhookWorker
    metrics: Metrics
    application: BrokerApplication

    def openapi_document(self) -> dict[str, Any]:
        return self.application.openapi_document


class BrokerApplication:
    def __init__(self, settings: BrokerSettings | None = None, *, database: Database | None = None) -> None:
        self.settings = settings or BrokerSettings.from_env()
        self.database = database or Database(self.settings.database_url)
        self.router = build_router()
        self.ui = UserInterface()
        self.metrics = Metrics()
        self.admission = Admission(self.settings.limits)
        self.executor = WebhookExecutor(self.settings.webhooks)
        self.background_database = self.database.for_background_work()
        self.worker = WebhookWorker(self.background_database, self.executor, self.settings.webhooks)
        self.clean_schedule = self._clean_schedule()
        self.checkpointer = Checkpointer(self.background_database)
        self.services = BrokerServices(self.settings, self.database, self.executor, self.worker, self.metrics, self)
        self.base_path = urlsplit(self.settings.base_url).path.rstrip("/") if self.settings.base_url else ""
        self._start_lock = threading.Lock()
        self._started = False

    def _clean_schedule(self) -> CleanSchedule | None:
        clean = self.settings.clean
        if not clean.enabled:
            return None
        try:
            options = options_from(clean)
        except BrokerError as problem:
            raise SettingsError(f"PACT_BROKER_DATABASE_CLEAN_KEEP_VERSION_SELECTORS: {problem.message}") from None
        return CleanSchedule(self.background_database, options, clean.cron_schedule)

    @cached_property
    def openapi_document(self) -> dict[str, Any]:
        return build_document(self.router, self.settings)

    # --- lifecycle -------------------------------------------------------------------------------

    def startup(self) -> None:
        """Run migrations and start the webhook worker (idempotent)."""
        with self._start_lock:
            if self._started:
                return
            self.database.migrate()
            if self.settings.run_webhook_worker:
                self.worker.start()
            if self.clean_schedule is not None:
                self.clean_schedule.start()
            self.checkpointer.start()
            self._started = True

    def shutdown(self) -> None:
        with self._start_lock:
            if not self._started:
                return
            self.worker.stop()
            if self.clean_schedule is not None:
                self.clean_schedule.stop()
            self.checkpointer.stop()
            self.executor.close()
            self.background_database.dispose()
            self.database.dispose()
            self._started = False

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await anyio.to_thread.run_sync(self.startup)
                except Exception as failure:  # report, do not crash the server loop
                    logger.exception("broker failed to start")
                    await send({"type": "lifespan.startup.failed", "message": str(failure)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await anyio.to_thread.run_sync(self.shutdown)
                await send({"type": "lifespan.shutdown.complete"})
                return

    # --- HTTP ------------------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if not self._started:
            await anyio.to_thread.run_sync(self.startup)
        started = time.perf_counter()
        route = "unmatched"
        method = scope["method"]
        try:
            headers = _headers(scope)
            operation, parameters, path = self._match(scope, headers)
            route = operation.template
            role = authorize(self.settings.auth, operation.access, headers.get("authorization"))
            body = await self._read_body(receive, headers) if method in ("POST", "PUT", "PATCH", "DELETE") else b""
            request = BrokerRequest(
                method=method,
                path=path,
                params=parameters,
                query=NestedQuery.parse(scope.get("query_string", b"").decode("latin-1")),
                headers=headers,
                body=body,
                links=Links(self._base_url(scope, headers)),
                settings=self.settings,
                services=self.services,
                role=role,
            )
            if operation.transaction == "none":  # no database work to queue for: /health, /ready, the index
                response = await anyio.to_thread.run_sync(self._run, operation, request)
            else:
                async with self.admission.slot() as refused:
                    if refused is None:
                        response = await anyio.to_thread.run_sync(self._run, operation, request)
                    else:
                        response = http_errors.shed(refused.status, refused.message, refused.retry_after)
        except BrokerError as failure:
            response = http_errors.response_for(failure)
            if self.ui.wants_page(headers):
                response = self.ui.error_page(response, self._base_url(scope, headers))
        except _ClientGone:
            return
        except Exception:
            logger.exception("unexpected error answering %s %s", method, scope.get("path"))
            response = http_errors.internal_error()
        response, body = _rendered(response, method, scope.get("path"))
        await _send(send, response, body, method)
        elapsed = time.perf_counter() - started
        self.metrics.observe(method, route, response.status, elapsed)
        if self.settings.access_log and access_log.isEnabledFor(logging.INFO):
            access_log.info(
                json.dumps(
                    {
                        "method": method,
                        "path": scope.get("path"),
                        "route": route,
                        "status": response.status,
                        "durationMs": round(elapsed * 1000, 2),
                        "client": (scope.get("client") or ["-"])[0],
                        "userAgent": _headers(scope).get("user-agent", ""),
                    }
                )
            )

    def _match(self, scope: Scope, headers: dict[str, str]) -> tuple[Operation, dict[str, str], str]:
        raw = scope.get("raw_path") or scope["path"].encode("utf-8")
        raw = raw.split(b"?", 1)[0]
        for prefix in (scope.get("root_path", ""), self.base_path):
            encoded = prefix.encode("utf-8") if prefix else b""
            if encoded and (raw == encoded or raw.startswith(encoded + b"/")):
                raw = raw[len(encoded) :] or b"/"
        if not raw.startswith(b"/"):
            raw = b"/" + raw
        segments = decode_segments(raw)
        match = self.ui.match(scope["method"], segments, headers) or self.router.match(scope["method"], segments)
        return match.operation, match.parameters, raw.decode("latin-1")

    async def _read_body(self, receive: Receive, headers: dict[str, str]) -> bytes:
        limit = self.settings.max_body_bytes
        declared = headers.get("content-length", "")
        too_large = PayloadTooLargeError(
            f"The request body is larger than {limit} bytes", [f"The request body is larger than {limit} bytes"]
        )
        declared_bytes = whole_number(declared)
        if declared and (declared_bytes is None or declared_bytes > limit):
            raise too_large  # an unreadable or absurd Content-Length is as good as too large
        chunks = []
        total = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _ClientGone
            chunk = message.get("body", b"")
            total += len(chunk)
            if total > limit:
                raise too_large
            chunks.append(chunk)
            if not message.get("more_body"):
                return b"".join(chunks)

    def _base_url(self, scope: Scope, headers: dict[str, str]) -> str:
        """The configured absolute base URL; else this request's scheme and host (honouring
        X-Forwarded-*) plus the configured context path, if the base URL is only a path."""
        if self.settings.base_url and not self.settings.base_url.startswith("/"):
            return self.settings.base_url.rstrip("/")
        scheme = headers.get("x-forwarded-proto", "").split(",")[0].strip().lower() or scope.get("scheme", "http")
        if scheme not in ("http", "https"):
            scheme = "http"
        host = (headers.get("x-forwarded-host") or headers.get("host") or "").split(",")[0].strip()
        if not _HOST.match(host):
            server = scope.get("server") or ("localhost", 9292)
            host = f"{server[0]}:{server[1]}"
        forwarded_port = headers.get("x-forwarded-port", "").strip()
        default_port = (scheme, forwarded_port) in (("http", "80"), ("https", "443"))
        if (
            forwarded_port.isascii()
            and forwarded_port.isdigit()
            and ":" not in host.rsplit("]", 1)[-1]
            and not default_port
        ):
            host = f"{host}:{forwarded_port}"
        prefix = headers.get("x-forwarded-prefix", "").strip().rstrip("/")
        if prefix and not re.match(r"^/[A-Za-z0-9._~\-/%]*$", prefix):
            prefix = ""
        return f"{scheme}://{host}{prefix}{scope.get('root_path', '')}{self.base_path}".rstrip("/")

    def _run(self, operation: Operation, request: BrokerRequest) -> HalResponse:
        token = current_base_url.set(request.links.base)
        try:
            if operation.prepare is not None:
                request.prepared = operation.prepare(request)  # outside the transaction: no lock held
            if operation.transaction == "none":
                return operation.handler(request)
            for attempt in range(1, ATTEMPTS + 1):
                try:
                    writes = operation.transaction == "write"
                    transaction = self.database.writing() if writes else self.database.reading()
                    with transaction as connection:
                        request.connection = connection
                        connection.info.pop(TRIGGERED_FLAG, None)
                        response = operation.handler(request)
                        triggered = connection.info.pop(TRIGGERED_FLAG, False)
                    if triggered:
                        # Only a write that queued a webhook wakes the worker: waking it on every
                        # write cost each publish two more queries in a thread competing for the GIL.
                        self.worker.wake()
                    return response
                except (sa.exc.DataError, UnicodeEncodeError):
                    return error(400, ["The request contains data the database cannot store (e.g. NUL characters)"])
                except sa.exc.TimeoutError:  # no pooled connection came free in time
                    return http_errors.unavailable()
                except (sa.exc.OperationalError, sa.exc.IntegrityError) as failure:
                    if attempt == ATTEMPTS:
                        logger.warning("giving up after %s attempts: %s", attempt, failure)
                        return http_errors.unavailable()
                    time.sleep(random.uniform(0.01, 0.05 * 2**attempt))  # jitter: racing instances spread out
            raise AssertionError("unreachable")
        finally:
            current_base_url.reset(token)


def _headers(scope: Scope) -> dict[str, str]:
    result: dict[str, str] = {}
    for name, value in scope.get("headers", []):
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        result[key] = f"{result[key]}, {text}" if key in result else text
    return result


def _rendered(response: HalResponse, method: str, path: object) -> tuple[HalResponse, bytes]:
    """The response and its bytes; a body that cannot be rendered is the logged JSON 500, never
    the server's bare "Internal Server Error" (rendering is part of answering, so it is guarded too)."""
    try:
        return response, response.render()
    except Exception:
        logger.exception("could not render the answer to %s %s", method, path)
        failure = http_errors.internal_error()
        return failure, failure.render()


async def _send(send: Send, response: HalResponse, body: bytes, method: str) -> None:
    """HEAD gets the GET's headers, Content-Length included, and no body."""
    headers = [
        (b"content-type", response.content_type.encode("latin-1")),
        (b"content-length", str(len(body)).encode()),
    ]
    for name, value in response.headers.items():
        headers.append((name.lower().encode("latin-1"), value.encode("latin-1", errors="replace")))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})
