"""Webhooks, their triggered occurrences and execution attempts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class WebhookRequest:
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    username: str | None = None
    password: str | None = None


@dataclass(frozen=True, slots=True)
class Webhook:
    id: int
    uuid: str
    description: str | None
    enabled: bool
    consumer_name: str | None
    consumer_label: str | None
    provider_name: str | None
    provider_label: str | None
    events: list[str]
    request: WebhookRequest
    created_at: datetime
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class TriggeredWebhook:
    id: int
    uuid: str
    webhook_id: int
    webhook_uuid: str
    event_name: str
    status: str
    attempts: int
    context: dict[str, str]
    next_attempt_at: datetime | None
    created_at: datetime
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class WebhookExecution:
    id: int
    triggered_webhook_uuid: str
    success: bool
    logs: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ExecutionResult:
    """One attempt: what was sent, what came back (if shown), and the redacted log."""

    success: bool
    request: dict[str, Any]
    response: dict[str, Any] | None
    error: str | None
    logs: str
