"""JSON for webhooks, triggered webhooks and execution results. Credentials are redacted."""

from __future__ import annotations

from typing import Any

from broker import paths
from broker.api.decorators.common import timestamp
from broker.api.links import Links, link
from broker.webhooks.models import ExecutionResult, TriggeredWebhook, Webhook, WebhookExecution
from broker.webhooks.redaction import MASK, redact_headers


def _party(links: Links, name: str | None, label: str | None) -> dict[str, Any] | None:
    if name is not None:
        return {"name": name, "_links": {"self": link(links.pacticipant(name))}}
    if label is not None:
        return {"label": label}
    return None


def webhook(links: Links, item: Webhook) -> dict[str, Any]:
    request = item.request
    shown_request: dict[str, Any] = {
        "method": request.method,
        "url": request.url,
        "headers": redact_headers(request.headers),
        "body": request.body,
    }
    if request.username is not None:
        shown_request["username"] = request.username
    if request.password is not None:
        shown_request["password"] = MASK
    result: dict[str, Any] = {
        "uuid": item.uuid,
        "description": item.description,
        "enabled": item.enabled,
        "events": [{"name": name} for name in item.events],
        "request": shown_request,
        "createdAt": timestamp(item.created_at),
        "updatedAt": timestamp(item.updated_at),
    }
    consumer = _party(links, item.consumer_name, item.consumer_label)
    provider = _party(links, item.provider_name, item.provider_label)
    if consumer:
        result["consumer"] = consumer
    if provider:
        result["provider"] = provider
    base = paths.webhook(item.uuid)
    result["_links"] = {
        "self": link(links.url(base), item.description or "Webhook", item.uuid),
        "pb:execute": link(
            links.url(f"{base}/execute"),
            "Test the execution of the webhook with the latest matching pact or verification",
        ),
        "pb:triggered-webhooks": link(links.url(f"{base}/triggered-webhooks"), "Webhooks triggered by this webhook"),
        "pb:webhooks": link(links.url("/webhooks"), "All webhooks"),
    }
    if item.consumer_name:
        result["_links"]["pb:consumer"] = link(links.pacticipant(item.consumer_name), "Consumer", item.consumer_name)
    if item.provider_name:
        result["_links"]["pb:provider"] = link(links.pacticipant(item.provider_name), "Provider", item.provider_name)
    return result


def webhook_list(links: Links, self_href: str, items: list[Webhook]) -> dict[str, Any]:
    return {
        "_embedded": {"webhooks": [webhook(links, item) for item in items]},
        "_links": {
            "self": link(self_href, "Webhooks"),
            "pb:webhooks": [link(links.webhook(item.uuid), item.description or "Webhook", item.uuid) for item in items],
            "pb:create": link(links.url("/webhooks"), "POST to create a webhook"),
        },
    }


def execution_result(links: Links, result: ExecutionResult) -> dict[str, Any]:
    body: dict[str, Any] = {
        "success": result.success,
        "request": result.request,
        "response": result.response,
        "logs": result.logs,
        "_links": {},
    }
    if result.error:
        body["error"] = {"message": result.error}
    return body


def triggered_webhook(links: Links, item: TriggeredWebhook, executions: list[WebhookExecution]) -> dict[str, Any]:
    return {
        "uuid": item.uuid,
        "eventName": item.event_name,
        "status": item.status,
        "attempts": item.attempts,
        "nextAttemptAt": timestamp(item.next_attempt_at) if item.status in ("not_run", "retrying") else None,
        "createdAt": timestamp(item.created_at),
        "updatedAt": timestamp(item.updated_at),
        "executions": [
            {"success": e.success, "createdAt": timestamp(e.created_at), "logs": e.logs} for e in executions
        ],
        "_links": {
            "self": link(links.triggered_webhook(item.uuid), "Triggered webhook"),
            "pb:logs": link(links.url(f"{paths.triggered_webhook(item.uuid)}/logs"), "Webhook execution logs"),
            "pb:webhook": link(links.webhook(item.webhook_uuid), "Webhook", item.webhook_uuid),
        },
    }


def triggered_list(
    links: Links, self_href: str, items: list[TriggeredWebhook], executions: dict[str, list[WebhookExecution]]
) -> dict[str, Any]:
    return {
        "_embedded": {
            "triggeredWebhooks": [triggered_webhook(links, item, executions.get(item.uuid, [])) for item in items]
        },
        "_links": {"self": link(self_href, "Triggered webhooks")},
    }
