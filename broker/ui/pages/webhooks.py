"""Webhooks: each with its scope, events, request and latest executions with their logs.

Secrets never reach a page: sensitive headers and the password are masked as the API masks
them, credentials in the URL are masked, and logs (already redacted when written) are redacted
again against the webhook's current secret values.
"""

from __future__ import annotations

from dataclasses import dataclass

from broker.api.requests import BrokerRequest
from broker.api.responses import HalResponse
from broker.api.router import Router
from broker.ui import status
from broker.ui.rendering import page
from broker.webhooks import repository
from broker.webhooks import service as webhooks
from broker.webhooks.models import TriggeredWebhook, Webhook, WebhookExecution
from broker.webhooks.redaction import MASK, is_sensitive, redact_headers, redact_text, redact_url

RECENT_ON_LIST = 3
RECENT_ON_PAGE = 20


@dataclass(frozen=True)
class Shown:
    webhook: Webhook
    url: str
    headers: dict[str, str]
    password: str | None
    runs: list[tuple[TriggeredWebhook, status.Shown, list[tuple[WebhookExecution, status.Shown, str]]]]


def _shown(request: BrokerRequest, webhook: Webhook, recent: int) -> Shown:
    connection = request.connection
    secrets = [value for name, value in webhook.request.headers.items() if is_sensitive(name)]
    secrets += [webhook.request.password] if webhook.request.password else []
    triggered = repository.recent_triggered(connection, webhook.id, recent)
    executions = repository.executions_of(connection, [t.id for t in triggered])
    by_trigger: dict[str, list[WebhookExecution]] = {}
    for execution in executions:
        by_trigger.setdefault(execution.triggered_webhook_uuid, []).append(execution)
    runs = [
        (
            t,
            status.TRIGGERED.get(t.status, status.TRIGGERED["not_run"]),
            [(e, status.EXECUTION[e.success], redact_text(e.logs, secrets)) for e in by_trigger.get(t.uuid, [])],
        )
        for t in triggered
    ]
    return Shown(
        webhook=webhook,
        url=redact_url(webhook.request.url),
        headers=redact_headers(webhook.request.headers),
        password=MASK if webhook.request.password else None,
        runs=runs,
    )


def register(router: Router) -> None:
    @router.route("GET", "/webhooks", summary="Webhooks", tag="UI")
    def webhooks_page(request: BrokerRequest) -> HalResponse:
        found = webhooks.list_webhooks(request.connection)
        return page(
            request,
            "webhooks.html",
            title="Webhooks",
            active="Webhooks",
            webhooks=[_shown(request, webhook, RECENT_ON_LIST) for webhook in found],
            single=False,
        )

    @router.route("GET", "/webhooks/{uuid}", summary="A webhook", tag="UI")
    def webhook_page(request: BrokerRequest) -> HalResponse:
        webhook = webhooks.get_webhook(request.connection, request.param("uuid"))
        return page(
            request,
            "webhooks.html",
            title=webhook.description or "Webhook",
            active="Webhooks",
            breadcrumbs=[("Webhooks", "/webhooks"), (webhook.description or webhook.uuid, None)],
            webhooks=[_shown(request, webhook, RECENT_ON_PAGE)],
            single=True,
        )
