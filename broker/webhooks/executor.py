"""Executing one webhook request: render templates, guard the destination, send, log.

The connection goes to the address the guard vetted (the URL's host is replaced by that IP, the
Host header and TLS SNI keep the name), so DNS cannot be swapped between check and use.
Redirects are not followed. Credentials never reach the log.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from broker.config import WebhookPolicy
from broker.webhooks import host_guard, redaction, templates
from broker.webhooks.models import ExecutionResult, WebhookRequest

MAX_LOGGED_BODY = 4096
DELIVERY_HEADER = "X-Pact-Broker-Delivery"
"""The triggered webhook's id, the same on every attempt: a receiver that remembers it handles
each event once even when an attempt is repeated (its instance died before recording it)."""


class _Log:
    def __init__(self, secrets: list[str]) -> None:
        self.lines: list[str] = []
        self.secrets = secrets

    def add(self, level: str, message: str) -> None:
        stamp = datetime.now(UTC).isoformat(timespec="milliseconds")
        self.lines.append(f"[{stamp}] {level}: {redaction.redact_text(message, self.secrets)}")

    def text(self) -> str:
        return "\n".join(self.lines)


class WebhookExecutor:
    def __init__(self, policy: WebhookPolicy, transport: httpx.BaseTransport | None = None) -> None:
        self.policy = policy
        self.client = httpx.Client(
            timeout=policy.timeout_seconds, follow_redirects=False, transport=transport, trust_env=False
        )

    def close(self) -> None:
        self.client.close()

    def execute(
        self, request: WebhookRequest, context: Mapping[str, str], delivery_id: str | None = None
    ) -> ExecutionResult:
        url = templates.render(request.url, context, for_url=True)
        headers = {name: templates.render(value, context) for name, value in request.headers.items()}
        if delivery_id is not None and not any(name.lower() == DELIVERY_HEADER.lower() for name in headers):
            headers[DELIVERY_HEADER] = delivery_id
        body = templates.render_body(request.body, context)
        username = templates.render(request.username, context) if request.username else None
        password = templates.render(request.password, context) if request.password else None
        if username is not None:
            token = base64.b64encode(f"{username}:{password or ''}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        secrets = [value for name, value in headers.items() if redaction.is_sensitive(name)]
        secrets += [secret for secret in (password,) if secret]
        log = _Log(secrets)
        shown_request = {
            "method": request.method,
            "url": redaction.redact_url(url),
            "headers": redaction.redact_headers(headers),
            "body": body,
        }
        log.add("INFO", f"{request.method} {redaction.redact_url(url)}")
        for name, value in redaction.redact_headers(headers).items():
            log.add("INFO", f"{name}: {value}")
        if body:
            log.add("INFO", body[:MAX_LOGGED_BODY])
        try:
            response = self._send(request.method, url, headers, body)
        except host_guard.BlockedDestinationError as error:
            log.add("ERROR", f"Blocked: {error}")
            return ExecutionResult(False, shown_request, None, str(error), log.text())
        except (httpx.HTTPError, OSError, ValueError) as error:
            message = f"{type(error).__name__}: {error}"
            log.add("ERROR", f"Request failed: {message}")
            return ExecutionResult(False, shown_request, None, message, log.text())
        success = 200 <= response.status_code < 300
        log.add("INFO", f"HTTP/1.1 {response.status_code} {response.reason_phrase}")
        shown_response: dict[str, Any] = {"status": response.status_code}
        if self.policy.shows_responses:
            shown_response["headers"] = redaction.redact_headers(dict(response.headers))
            shown_response["body"] = response.text[:MAX_LOGGED_BODY]
            log.add("INFO", response.text[:MAX_LOGGED_BODY])
        else:
            log.add(
                "INFO",
                "Response headers and body are hidden: set a webhook host allow-list to show them",
            )
        return ExecutionResult(success, shown_request, shown_response, None, log.text())

    def _send(self, method: str, url: str, headers: dict[str, str], body: str | None) -> httpx.Response:
        if method.upper() not in self.policy.allowed_methods:
            raise host_guard.BlockedDestinationError(f"method {method} is not allowed")
        problem = host_guard.url_problem(url, self.policy)
        if problem:
            raise host_guard.BlockedDestinationError(f"URL {problem}")
        destination = host_guard.destination_of(url)
        addresses = host_guard.resolve_allowed(destination, self.policy)
        target = httpx.URL(url)
        pinned = target.copy_with(host=addresses[0])
        host_header = target.host if target.port is None else f"{target.host}:{target.port}"
        extensions = {"sni_hostname": target.host} if destination.scheme == "https" else {}
        return self.client.request(
            method.upper(),
            pinned,
            headers={**headers, "Host": host_header},
            content=body.encode() if body is not None else None,
            extensions=extensions,
        )
