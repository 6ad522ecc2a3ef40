"""Every kind of change between two OpenAPI documents is listed, named where a consumer sees it."""

from __future__ import annotations

import copy
from typing import Any

from solo60.harness.breaking.changes import diff

BASE: dict[str, Any] = {
    "openapi": "3.1.0",
    "paths": {
        "/things/{thingId}": {
            "get": {
                "parameters": [
                    {"name": "thingId", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "view", "in": "query", "required": False, "schema": {"enum": ["short", "long"]}},
                ],
                "responses": {
                    "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                    "404": {"description": "gone"},
                },
            },
            "delete": {"responses": {"204": {"description": "deleted"}}},
        }
    },
    "components": {
        "schemas": {
            "Thing": {
                "type": "object",
                "required": ["id", "size"],
                "properties": {
                    "id": {"type": "string"},
                    "size": {"type": "integer"},
                    "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
                },
            },
            "Tag": {"type": "object", "properties": {"colour": {"enum": ["red", "blue"]}}},
        }
    },
}


def changed(edit: Any) -> list[tuple[str, str, str, str]]:
    candidate = copy.deepcopy(BASE)
    edit(candidate)
    return [(item.category, item.action, item.location, item.detail) for item in diff(BASE, candidate)]


def test_the_same_document_has_no_change() -> None:
    assert diff(BASE, copy.deepcopy(BASE)) == []


def test_a_removed_operation_and_a_removed_status() -> None:
    def edit(document: dict[str, Any]) -> None:
        del document["paths"]["/things/{thingId}"]["delete"]
        del document["paths"]["/things/{thingId}"]["get"]["responses"]["404"]

    assert changed(edit) == [
        ("status", "removed", "response 404", ""),
        ("operation", "removed", "DELETE /things/{thingId}", ""),
    ]


def test_parameters_added_required_and_restricted() -> None:
    def edit(document: dict[str, Any]) -> None:
        parameters = document["paths"]["/things/{thingId}"]["get"]["parameters"]
        parameters[1]["required"] = True
        parameters[1]["schema"] = {"enum": ["short"]}
        parameters.append({"name": "x-tenant", "in": "header", "required": True, "schema": {"type": "string"}})

    assert changed(edit) == [
        ("requiredness", "changed", "query parameter view", "optional -> required"),
        ("enum", "changed", "query parameter view", "removed long"),
        ("parameter", "added", "header parameter x-tenant", "required"),
    ]


def test_response_fields_inside_referenced_models_are_named_by_their_path() -> None:
    def edit(document: dict[str, Any]) -> None:
        schemas = document["components"]["schemas"]
        schemas["Thing"]["properties"]["size"] = {"type": "string"}
        schemas["Thing"]["properties"]["weight"] = {"type": "number"}
        schemas["Tag"]["properties"]["colour"] = {"enum": ["red", "blue", "green"]}
        del schemas["Thing"]["properties"]["id"]

    assert changed(edit) == [
        ("response field", "removed", "response 200 body: id", ""),
        ("type", "changed", "response 200 body: size", "integer -> string"),
        ("enum", "changed", "response 200 body: tags[].colour", "added green"),
        ("response field", "added", "response 200 body: weight", "optional"),
    ]


def test_a_renamed_path_placeholder_is_the_same_operation() -> None:
    def edit(document: dict[str, Any]) -> None:
        paths = document["paths"]
        paths["/things/{id}"] = paths.pop("/things/{thingId}")
        paths["/things/{id}"]["get"]["parameters"][0]["name"] = "id"

    assert changed(edit) == [
        ("parameter", "removed", "path parameter thingId", ""),
        ("parameter", "added", "path parameter id", "required"),
    ]
