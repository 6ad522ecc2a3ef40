"""The broker's OpenAPI 3.1 document, generated from the routing table.

Every status a resource can answer is listed: the ones each resource declares, plus 400 for a
path that is not UTF-8, 401/403 once auth is on, 413/415 for bodies and 503 when the database
is busy or unreachable. Success bodies are `application/hal+json`, errors `application/json`.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from broker.api import schemas
from broker.api.router import Access, Operation, Router
from broker.config import BrokerSettings

PLACEHOLDER = re.compile(r"\{(\w+)\}")
NAME_PARAMETERS = {"pacticipant", "provider", "consumer", "version", "tag", "branch", "label"}


def _path_parameter(name: str, operation: Operation) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "minLength": 1}
    if name == "number":
        schema = {"type": "integer", "minimum": 0, "maximum": 10**17}
    elif operation.method != "GET" and name in NAME_PARAMETERS:
        schema = dict(schemas.NAME)
    if operation.method == "PUT" and operation.template.startswith("/webhooks/") and name == "uuid":
        schema = dict(schemas.WEBHOOK_UUID)
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _responses(operation: Operation) -> dict[str, Any]:
    declared = dict(operation.responses)
    has_path_parameters = "{" in operation.template
    if has_path_parameters:
        declared.setdefault(400, "Invalid input")
    if operation.access is not Access.PUBLIC:
        declared.setdefault(401, "Authentication required")
        declared.setdefault(403, "Not allowed with these credentials")
    if operation.request_schema is not None:
        declared.setdefault(400, "Invalid input")
        declared.setdefault(413, "Body too large")
        declared.setdefault(415, "Body is not JSON")
    if operation.method != "GET":
        declared.setdefault(413, "Body too large")
    if operation.transaction != "none":
        declared.setdefault(503, "Database busy or unreachable; retry")
    if operation.query:
        declared.setdefault(400, "Invalid query")
    headers = {
        201: {"Location": {"description": "The created resource", "schema": {"type": "string"}}},
        401: {"WWW-Authenticate": {"description": "Basic realm", "schema": {"type": "string"}}},
        503: {"Retry-After": {"description": "Seconds to wait before retrying", "schema": {"type": "string"}}},
    }
    responses: dict[str, Any] = {}
    for status in sorted(declared):
        description = declared[status]
        if 200 <= status < 300:
            schema = operation.response_schema or schemas.HAL
            responses[str(status)] = {
                "description": description,
                "content": {operation.media_type: {"schema": schema}},
            }
        else:
            responses[str(status)] = {
                "description": description,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}},
            }
        if status in headers:
            responses[str(status)]["headers"] = headers[status]
    return responses


def _request_schema(operation: Operation, settings: BrokerSettings) -> dict[str, Any]:
    schema = copy.deepcopy(operation.request_schema or {})
    request = schema.get("properties", {}).get("request")
    if request and "method" in request.get("properties", {}):
        request["properties"]["method"] = {"type": "string", "enum": list(settings.webhooks.allowed_methods)}
        schemes = "|".join(settings.webhooks.allowed_schemes)
        pattern = schemas.WEBHOOK_URL_PATTERN.replace("(https|http)", f"({schemes})", 1)
        request["properties"]["url"] = {"type": "string", "format": "uri", "pattern": pattern}
    return schema


def build_document(router: Router, settings: BrokerSettings) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for operation in router.operations:
        item = paths.setdefault(operation.template, {})
        parameters = [_path_parameter(name, operation) for name in PLACEHOLDER.findall(operation.template)]
        parameters += [
            {"name": q.name, "in": "query", "required": q.required, "description": q.description, "schema": q.schema}
            for q in operation.query
        ]
        spec: dict[str, Any] = {
            "operationId": operation.operation_id,
            "summary": operation.summary,
            "tags": [operation.tag],
            "responses": _responses(operation),
        }
        if parameters:
            spec["parameters"] = parameters
        if operation.request_schema is not None:
            schema = _request_schema(operation, settings)
            media = {"application/json": {"schema": schema}}
            if operation.method == "PATCH":
                media["application/merge-patch+json"] = {"schema": schema}
            spec["requestBody"] = {"required": operation.request_required, "content": media}
        if operation.access is Access.PUBLIC:
            spec["security"] = []
        item[operation.method.lower()] = spec
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Solo60 Pact Broker",
            "version": "1.0.0",
            "description": "A Pact Broker that the official Pact clients work against.",
        },
        "paths": paths,
        "components": {
            "schemas": {"Errors": schemas.ERRORS},
            "securitySchemes": {
                "basicAuth": {"type": "http", "scheme": "basic"},
                "bearerAuth": {"type": "http", "scheme": "bearer"},
            },
        },
        "security": [{}, {"basicAuth": []}, {"bearerAuth": []}],
    }
