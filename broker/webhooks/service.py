"""Creating, changing and deleting webhooks, with the validation the SSRF guard relies on."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy.engine import Connection

from broker.config import WebhookPolicy
from broker.errors import InvalidInputError, NotFoundError
from broker.limits import MAX_WEBHOOK_EVENTS, MAX_WEBHOOK_HEADERS, at_most
from broker.names import name_problem
from broker.pacticipants import repository as pacticipants_repository
from broker.pacts import repository as pacts_repository
from broker.pacts.tables import pact_publications
from broker.verifications import repository as verifications_repository
from broker.webhooks import context as template_context
from broker.webhooks import host_guard, repository
from broker.webhooks.events import DEFAULT_EVENTS, EVENT_NAMES
from broker.webhooks.models import Webhook
from broker.webhooks.tables import triggered_webhooks, webhooks

UUID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
HEADER_NAME_PATTERN = r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"
"""An HTTP token (RFC 9110), the only thing an HTTP client will send as a header name."""
HEADER_VALUE_PATTERN = r"^[\t\x20-\x7e]*$"
"""Printable ASCII and tabs: no line breaks of any kind, nothing an HTTP client refuses to encode."""
MAX_DESCRIPTION = 4096


def require_uuid(uuid: str) -> str:
    if not UUID_PATTERN.match(uuid):
        raise InvalidInputError("uuid is invalid", {"uuid": ["must be 16 to 64 letters, digits, '-' or '_'"]})
    return uuid


def get_webhook(connection: Connection, uuid: str) -> Webhook:
    found = repository.find(connection, uuid)
    if found is None:
        raise NotFoundError(f"No webhook with uuid '{uuid}' found")
    return found


def party_shape_problem(value: object) -> str | None:
    """Why `value` is not a webhook's consumer or provider (null, or an object with a name or a label)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        return "must be an object with a name or a label"
    if value.get("name") is not None and value.get("label") is not None:
        return "cannot have both a name and a label"
    if value.get("name") is None and value.get("label") is None:
        return "must have a name or a label"
    return None


def party_problem(value: object) -> str | None:
    """`party_shape_problem`, and a name or label that cannot be a name."""
    problem = party_shape_problem(value)
    if problem or not isinstance(value, dict):
        return problem
    if value.get("name") is not None:
        return name_problem(value["name"], "name")
    return name_problem(value["label"], "label")


def _party(connection: Connection, body: Mapping[str, Any], role: str, errors: dict[str, list[str]]) -> dict[str, Any]:
    value = body.get(role)
    if value is None:
        return {f"{role}_id": None, f"{role}_label": None}
    shape_problem = party_shape_problem(value)
    if shape_problem:
        errors[role] = [shape_problem]
        return {}
    name, label = value.get("name"), value.get("label")
    if name is not None:
        problem = name_problem(name, f"{role}.name")
        if problem:
            errors[f"{role}.name"] = [problem]
            return {}
        pacticipant = pacticipants_repository.find_by_name(connection, name)
        if pacticipant is None:
            errors[f"{role}.name"] = [f"No {role} with name '{name}' found"]
            return {}
        return {f"{role}_id": pacticipant.id, f"{role}_label": None}
    if label is not None:
        problem = name_problem(label, f"{role}.label")
        if problem:
            errors[f"{role}.label"] = [problem]
            return {}
        return {f"{role}_id": None, f"{role}_label": label}
    errors[role] = ["must have a name or a label"]
    return {}


def _events(body: Mapping[str, Any], errors: dict[str, list[str]]) -> list[str]:
    events = body.get("events")
    if events is None:
        return list(DEFAULT_EVENTS)
    if not isinstance(events, list) or not events:
        errors["events"] = ["must be a non-empty list"]
        return []
    at_most(events, MAX_WEBHOOK_EVENTS, "events", "events")
    names: list[str] = []
    for index, event in enumerate(events):
        name = event.get("name") if isinstance(event, dict) else None
        if name not in EVENT_NAMES:
            errors[f"events[{index}].name"] = [f"must be one of {', '.join(EVENT_NAMES)}"]
        elif name not in names:
            names.append(name)
    return names


def _request(body: Mapping[str, Any], policy: WebhookPolicy, errors: dict[str, list[str]]) -> dict[str, Any]:
    request = body.get("request")
    if not isinstance(request, dict):
        errors["request"] = ["is required and must be an object"]
        return {}
    method = request.get("method")
    if not isinstance(method, str) or method.upper() not in policy.allowed_methods:
        errors["request.method"] = [f"must be one of {', '.join(policy.allowed_methods)}"]
    url = request.get("url")
    problem = host_guard.check_saved_url(url, policy) if isinstance(url, str) else "is required"
    if problem:
        errors["request.url"] = [problem]
    headers = request.get("headers", {})
    if isinstance(headers, dict):
        at_most(headers, MAX_WEBHOOK_HEADERS, "request.headers", "headers")
    if not isinstance(headers, dict) or not all(
        isinstance(key, str)
        and isinstance(value, str)
        and re.fullmatch(HEADER_NAME_PATTERN, key)
        and re.fullmatch(HEADER_VALUE_PATTERN, value)
        for key, value in headers.items()
    ):
        errors["request.headers"] = ["must map header names (HTTP tokens) to printable ASCII values"]
    for credential in ("username", "password"):
        value = request.get(credential)
        if value is not None and not isinstance(value, str):
            errors[f"request.{credential}"] = ["must be a string"]
    return {
        "method": method.upper() if isinstance(method, str) else method,
        "url": url,
        "headers": headers if isinstance(headers, dict) else {},
        "body": request.get("body"),
        "username": request.get("username"),
        "password": request.get("password"),
    }


def validated(connection: Connection, body: Mapping[str, Any], policy: WebhookPolicy) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    description = body.get("description")
    if description is not None and (not isinstance(description, str) or len(description) > MAX_DESCRIPTION):
        errors["description"] = [f"must be a string of at most {MAX_DESCRIPTION} characters"]
    enabled = body.get("enabled", True)
    if not isinstance(enabled, bool):
        errors["enabled"] = ["must be true or false"]
    values: dict[str, Any] = {"description": description, "enabled": enabled}
    values.update(_party(connection, body, "consumer", errors))
    values.update(_party(connection, body, "provider", errors))
    values["events"] = _events(body, errors)
    values["request"] = _request(body, policy, errors)
    if errors:
        raise InvalidInputError("The webhook is invalid", errors)
    return values


def create_webhook(
    connection: Connection, body: Mapping[str, Any], policy: WebhookPolicy, uuid: str | None = None
) -> Webhook:
    values = validated(connection, body, policy)
    uuid = require_uuid(uuid) if uuid else repository.new_uuid()
    repository.insert(connection, uuid, values)
    return get_webhook(connection, uuid)


def put_webhook(
    connection: Connection, uuid: str, body: Mapping[str, Any], policy: WebhookPolicy
) -> tuple[Webhook, bool]:
    require_uuid(uuid)
    existing = repository.find(connection, uuid)
    if existing is None:
        return create_webhook(connection, body, policy, uuid), True
    values = validated(connection, body, policy)
    repository.update(connection, existing.id, values)
    return get_webhook(connection, uuid), False


def delete_webhook(connection: Connection, uuid: str) -> Webhook:
    webhook = get_webhook(connection, uuid)
    repository.delete(connection, webhook.id)
    return webhook


def list_webhooks(
    connection: Connection, consumer_name: str | None = None, provider_name: str | None = None
) -> list[Webhook]:
    criteria = []
    for role, name in (("consumer", consumer_name), ("provider", provider_name)):
        if name is not None:
            pacticipant = pacticipants_repository.find_by_name(connection, name)
            if pacticipant is None:
                raise NotFoundError(f"No pacticipant with name '{name}' found")
            criteria.append(webhooks.c[f"{role}_id"] == pacticipant.id)
    return repository.where(connection, *criteria)


def test_context(connection: Connection, webhook: Webhook) -> dict[str, str]:
    """Template values for a test run: the newest matching pact (and its newest verification)."""
    criteria = []
    for role, name in (("consumer", webhook.consumer_name), ("provider", webhook.provider_name)):
        if name is not None:
            pacticipant = pacticipants_repository.find_by_name(connection, name)
            if pacticipant is not None:
                criteria.append(pact_publications.c[f"{role}_id"] == pacticipant.id)
    found = connection.execute(
        pacts_repository.select_publications().where(*criteria).order_by(pact_publications.c.id.desc()).limit(1)
    ).first()
    event_name = webhook.events[0] if webhook.events else DEFAULT_EVENTS[0]
    if found is None:
        return {
            "consumerName": webhook.consumer_name or "consumer",
            "providerName": webhook.provider_name or "provider",
            "eventName": event_name,
        }
    publication = pacts_repository.publication_from_row(found)
    verification = verifications_repository.latest_for_pact_version(connection, publication.pact_version_id)
    if verification is not None and event_name.startswith("provider_verification"):
        context = template_context.verification_context(connection, verification, publication)
    else:
        context = template_context.publication_context(connection, publication)
    return {**context, "eventName": event_name}


def record_test_execution(
    connection: Connection, webhook: Webhook, event_name: str, context: dict[str, str], success: bool, logs: str
) -> None:
    triggered_uuid = repository.insert_triggered(
        connection, webhook.id, event_name, context, None, None, status="success" if success else "failure"
    )
    triggered = repository.triggered_where(connection, triggered_webhooks.c.uuid == triggered_uuid)[0]
    repository.insert_execution(connection, triggered.id, success, logs)
