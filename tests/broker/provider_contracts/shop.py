"""A small shop API (OpenAPI 3.1) and pacts against it in specification V2, V3 or V4: the
inputs the comparator tests change one detail of at a time."""

from __future__ import annotations

import copy
from typing import Any

ITEM = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "colour": {"type": "string", "enum": ["red", "blue"]},
        "owner": {"anyOf": [{"$ref": "#/components/schemas/Person"}, {"type": "null"}]},
    },
}


def error_response() -> dict[str, Any]:
    return {"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


SHOP: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "shop", "version": "1"},
    "security": [{"ApiKey": []}],
    "paths": {
        "/items/{itemId}": {
            "parameters": [
                {"name": "itemId", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
            ],
            "get": {
                "parameters": [
                    {"name": "expand", "in": "query", "schema": {"type": "boolean"}},
                    {"name": "x-tenant", "in": "header", "required": True, "schema": {"type": "string"}},
                    {"name": "x-trace", "in": "header", "schema": {"type": "string", "pattern": "^t-"}},
                ],
                "responses": {
                    "200": {
                        "description": "the item",
                        "headers": {"x-rate": {"schema": {"type": "integer"}}},
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}},
                    },
                    "404": error_response(),
                    "default": error_response(),
                },
            },
            "put": {
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewItem"}}},
                },
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}},
                    },
                    "400": error_response(),
                },
            },
        },
        "/notes": {
            "post": {
                "requestBody": {"content": {"text/plain": {"schema": {"type": "string"}}}},
                "responses": {"201": {"description": "ok", "content": {"text/plain": {"schema": {"type": "string"}}}}},
            }
        },
        "/ping": {"get": {"security": [], "responses": {"204": {"description": "alive"}}}},
        "/uploads": {
            "post": {
                "requestBody": {"content": {"application/json": {}}},
                "responses": {"202": {"description": "accepted"}},
            }
        },
    },
    "components": {
        "schemas": {
            "Item": ITEM,
            "NewItem": {
                "type": "object",
                "required": ["name"],
                "properties": {"name": {"type": "string", "minLength": 1}, "colour": {"type": "string"}},
            },
            "Person": {"type": "object", "properties": {"email": {"type": "string", "format": "email"}}},
            "Error": {"type": "object", "properties": {"error": {"type": "string"}}},
        },
        "securitySchemes": {"ApiKey": {"type": "apiKey", "in": "header", "name": "x-api-key"}},
    },
}


def shop() -> dict[str, Any]:
    return copy.deepcopy(SHOP)


def get_item(**changes: Any) -> dict[str, Any]:
    """A compatible interaction; `changes` replace parts (`request_headers`, `status`, ...)."""
    interaction: dict[str, Any] = {
        "description": "a request for item 1",
        "state": "item 1 exists",
        "method": "GET",
        "path": "/items/1",
        "query": {"expand": ["true"]},
        "request_headers": {"x-api-key": "key", "x-tenant": "acme", "Accept": "application/json"},
        "request_body": None,
        "status": 200,
        "response_headers": {"Content-Type": "application/json", "x-rate": "5"},
        "response_body": {"id": 1, "name": "Lamp", "owner": None},
    }
    interaction.update(changes)
    return interaction


def put_item(**changes: Any) -> dict[str, Any]:
    return get_item(
        **{
            "description": "an update of item 1",
            "method": "PUT",
            "query": None,
            "request_headers": {"x-api-key": "key", "Content-Type": "application/json"},
            "request_body": {"name": "Desk lamp"},
            "response_headers": {"Content-Type": "application/json"},
            **changes,
        }
    )


def pact(*interactions: dict[str, Any], version: int = 4) -> dict[str, Any]:
    """A pact file of the given specification version holding the interactions."""
    return {
        "consumer": {"name": "web"},
        "provider": {"name": "shop"},
        "interactions": [_render(item, version) for item in interactions],
        "metadata": {"pactSpecification": {"version": f"{version}.0.0" if version > 2 else "2.0.0"}},
    }


def _render(item: dict[str, Any], version: int) -> dict[str, Any]:
    request: dict[str, Any] = {"method": item["method"], "path": item["path"]}
    response: dict[str, Any] = {"status": item["status"]}
    if item["query"]:
        if version == 2:
            request["query"] = "&".join(f"{key}={value}" for key, values in item["query"].items() for value in values)
        else:
            request["query"] = item["query"]
    for side, headers in ((request, item["request_headers"]), (response, item["response_headers"])):
        if headers:
            side["headers"] = {key: [value] for key, value in headers.items()} if version == 4 else dict(headers)
    for side, body, headers in (
        (request, item["request_body"], item["request_headers"]),
        (response, item["response_body"], item["response_headers"]),
    ):
        if body is None:
            continue
        if version == 4:
            media = next((v for k, v in (headers or {}).items() if k.lower() == "content-type"), "application/json")
            side["body"] = {"content": body, "contentType": media, "encoded": False}
        else:
            side["body"] = body
    rendered: dict[str, Any] = {"description": item["description"], "request": request, "response": response}
    if version == 2:
        rendered["providerState"] = item["state"]
    else:
        rendered["providerStates"] = [{"name": item["state"]}]
    if version == 4:
        rendered["type"] = "Synchronous/HTTP"
    return rendered


def ping(**changes: Any) -> dict[str, Any]:
    """The public health check: no security, a 204 with no content declared."""
    return get_item(
        **{
            "description": "a ping",
            "path": "/ping",
            "query": None,
            "request_headers": {},
            "status": 204,
            "response_headers": {},
            "response_body": None,
            **changes,
        }
    )


def post_note(**changes: Any) -> dict[str, Any]:
    """A plain-text endpoint: no JSON Schema can be checked against its bodies."""
    return get_item(
        **{
            "description": "a note",
            "method": "POST",
            "path": "/notes",
            "query": None,
            "request_headers": {"x-api-key": "key"},
            "status": 201,
            "response_headers": {},
            "response_body": None,
            **changes,
        }
    )


def post_upload(**changes: Any) -> dict[str, Any]:
    """An endpoint that takes JSON but declares no schema for it."""
    return post_note(**{"description": "an upload", "path": "/uploads", "status": 202, **changes})
