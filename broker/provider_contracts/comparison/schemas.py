"""From an OpenAPI schema to a compiled JSON Schema validator, and from its errors to messages.

OpenAPI schemas are not quite JSON Schema, and a pact is not a full request or response, so each
schema is transformed before it is compiled, as the reference comparator does:

* both modes: `nullable: true` (3.0) admits `null`; boolean `exclusiveMinimum`/`Maximum` (3.0)
  become numbers; a `discriminator` under `oneOf` makes its property required; `allOf` is
  flattened into one schema (OpenAPI means "all these properties", JSON Schema "all these
  schemas", which would clash with the next rule);
* "response" mode (response bodies): every object schema without `additionalProperties` gets
  `additionalProperties: false` and `required` is dropped (except under `oneOf`), so a consumer
  may read a subset of the fields but may not expect one the document never declares.
* "request" mode (request bodies, parameters, headers): `required` is kept, extra properties allowed.

Referenced schemas are transformed once per mode and copied into each compiled root at the
pointer they came from, so `$ref`s keep working and recursive schemas stay finite. Validators are
compiled on first use (jsonschema-rs) and shared by every schema with the same content.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any, Literal

import jsonschema_rs

from broker.provider_contracts.comparison.documents import Document
from broker.provider_contracts.comparison.errors import DocumentError

Mode = Literal["request", "response"]

_SCHEMA_MAPS = ("properties", "patternProperties", "dependentSchemas", "$defs", "definitions")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_VALUES = (
    "items",
    "additionalProperties",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedProperties",
    "unevaluatedItems",
    "additionalItems",
)
_ANNOTATIONS = ("description", "example", "examples", "xml", "externalDocs")


@dataclass(frozen=True, slots=True)
class Problem:
    """One way a value breaks a schema, located in the value and in the compiled schema."""

    message: str
    instance_path: tuple[str | int, ...]
    schema_path: tuple[str | int, ...]
    value: Any
    rule: Any


class CompiledSchema:
    def __init__(self, root: Any) -> None:
        self.root = root
        try:
            self._validator = jsonschema_rs.validator_for(root, validate_formats=True)
        except ValueError as problem:
            reason = str(problem).split("\n", 1)[0]
            raise DocumentError(f"a schema of the OpenAPI document is not valid JSON Schema: {reason}") from None

    def problems(self, value: Any) -> list[Problem]:
        if self._validator.is_valid(value):
            return []
        found: list[Problem] = []
        for error in self._validator.iter_errors(value):
            schema_path = tuple(error.schema_path)
            rule = _fragment(self.root, schema_path)
            for message in _messages(error):
                found.append(Problem(message, tuple(error.instance_path), schema_path, error.instance, rule))
        return found


class Schemas:
    """The compiled validators of one document, built on first use."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self._by_identity: dict[tuple[int, Mode], CompiledSchema] = {}
        self._by_content: dict[str, CompiledSchema] = {}
        self._components: dict[tuple[str, Mode], Any] = {}
        self._kept: list[Any] = []  # keeps keyed objects alive so their ids stay unique

    def compiled(self, schema: Any, mode: Mode) -> CompiledSchema:
        key = (id(schema), mode)
        found = self._by_identity.get(key)
        if found is None:
            root = self._root(schema, mode)
            text = json.dumps(root, sort_keys=True, default=str)
            found = self._by_content.get(text)
            if found is None:
                found = self._by_content[text] = CompiledSchema(root)
            self._by_identity[key] = found
            self._kept.append(schema)
        return found

    def _root(self, schema: Any, mode: Mode) -> Any:
        root = transform(schema, mode, self.document)
        if not isinstance(root, dict):
            return root
        refs = sorted(_collect_refs(root, self, mode), key=len)
        placed: list[tuple[str, ...]] = []
        for ref in refs:
            parts = tuple(_pointer_parts(ref))
            if not parts or any(parts[: len(done)] == done for done in placed):
                continue
            container = root
            for part in parts[:-1]:
                nxt = container.get(part)
                if not isinstance(nxt, dict):
                    nxt = container[part] = {}
                container = nxt
            container[parts[-1]] = self.component(ref, mode)
            placed.append(parts)
        return root

    def component(self, ref: str, mode: Mode) -> Any:
        key = (ref, mode)
        if key not in self._components:
            self._components[key] = transform(self.document.resolve(ref), mode, self.document)
        return self._components[key]


def _pointer_parts(ref: str) -> list[str]:
    from urllib.parse import unquote

    return [unquote(part).replace("~1", "/").replace("~0", "~") for part in ref[1:].split("/")[1:]]


def _collect_refs(root: Any, schemas: Schemas, mode: Mode) -> set[str]:
    found: set[str] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/") and ref not in found:
                found.add(ref)
                stack.append(schemas.component(ref, mode))
            stack.extend(value for key, value in node.items() if key != "$ref")
        elif isinstance(node, list):
            stack.extend(node)
    return found


def transform(schema: Any, mode: Mode, document: Document) -> Any:
    """A transformed copy of `schema` (its `$ref`s left in place, pointing at transformed copies)."""
    if not isinstance(schema, dict):
        return copy.deepcopy(schema)
    node: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _ANNOTATIONS or key in ("discriminator", "nullable"):
            continue
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            node[key] = {name: transform(item, mode, document) for name, item in value.items()}
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            node[key] = [transform(item, mode, document) for item in value]
        elif key in _SCHEMA_VALUES:
            node[key] = transform(value, mode, document)
        else:
            node[key] = copy.deepcopy(value)
    discriminator = schema.get("discriminator")
    if isinstance(discriminator, dict) and "oneOf" in schema and isinstance(discriminator.get("propertyName"), str):
        required = list(node.get("required", []))
        if discriminator["propertyName"] not in required:
            node["required"] = [*required, discriminator["propertyName"]]
    for keyword, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if node.get(keyword) is True and limit in node:
            node[keyword] = node.pop(limit)
        elif node.get(keyword) is False or node.get(keyword) is True:
            del node[keyword]
    if isinstance(node.get("allOf"), list):
        node = _flatten_all_of(node, mode, document)
    if mode == "response":
        _close_object(node)
    if schema.get("nullable") is True:
        node = _nullable(node)
    return node


def _close_object(node: dict[str, Any]) -> None:
    kind = node.get("type")
    is_object = kind == "object" or (isinstance(kind, list) and "object" in kind)
    if (
        is_object
        and node.get("additionalProperties", True) is True
        and not ("oneOf" in node or "anyOf" in node or "allOf" in node)
    ):
        node["additionalProperties"] = False
    if "oneOf" not in node:
        node.pop("required", None)


def _nullable(node: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in node or "type" not in node:
        return {"anyOf": [node, {"type": "null"}]}
    kind = node["type"]
    node["type"] = [*kind, "null"] if isinstance(kind, list) else [kind, "null"]
    if isinstance(node.get("enum"), list) and None not in node["enum"]:
        node["enum"] = [*node["enum"], None]
    return node


def _flatten_all_of(node: dict[str, Any], mode: Mode, document: Document) -> dict[str, Any]:
    members = node.pop("allOf")
    merged: dict[str, Any] = node
    for member in members:
        if isinstance(member, dict) and "$ref" in member:
            target = transform(document.deref(member), mode, document)
            member = {**{k: v for k, v in member.items() if k != "$ref"}, **target} if isinstance(target, dict) else {}
        if isinstance(member, dict):
            merged = _merge(merged, member)
    return merged


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    result = dict(base)
    for key, value in extra.items():
        if key == "required" and isinstance(value, list):
            result[key] = list(dict.fromkeys([*result.get(key, []), *value]))
        elif isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = _merge(result[key], value)
        else:
            result[key] = value
    return result


def _fragment(root: Any, path: tuple[str | int, ...]) -> Any:
    node = root
    for part in path:
        if isinstance(node, dict):
            if part not in node:
                return None
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return None
    return node


def _messages(error: Any) -> list[str]:
    """Messages in the words of the reference comparator (ajv's), one per problem."""
    kind = error.kind
    name = type(kind).__name__
    if name == "AdditionalProperties":
        return [f"must NOT have additional properties - {extra}" for extra in kind.unexpected]
    if name == "UnevaluatedProperties":
        return [f"must NOT have unevaluated properties - {extra}" for extra in kind.unexpected]
    formatter = _MESSAGES.get(name)
    return [formatter(kind) if formatter else error.message]


_MESSAGES: dict[str, Any] = {
    "Type": lambda kind: "must be " + ",".join(kind.types),
    "Required": lambda kind: f"must have required property '{kind.property}'",
    "Enum": lambda kind: "must be equal to one of the allowed values",
    "Constant": lambda kind: "must be equal to constant",
    "Format": lambda kind: f'must match format "{kind.format}"',
    "Pattern": lambda kind: f'must match pattern "{kind.pattern}"',
    "Minimum": lambda kind: f"must be >= {kind.limit}",
    "Maximum": lambda kind: f"must be <= {kind.limit}",
    "ExclusiveMinimum": lambda kind: f"must be > {kind.limit}",
    "ExclusiveMaximum": lambda kind: f"must be < {kind.limit}",
    "MinLength": lambda kind: f"must NOT have fewer than {kind.limit} characters",
    "MaxLength": lambda kind: f"must NOT have more than {kind.limit} characters",
    "MinItems": lambda kind: f"must NOT have fewer than {kind.limit} items",
    "MaxItems": lambda kind: f"must NOT have more than {kind.limit} items",
    "MinProperties": lambda kind: f"must NOT have fewer than {kind.limit} properties",
    "MaxProperties": lambda kind: f"must NOT have more than {kind.limit} properties",
    "MultipleOf": lambda kind: f"must be multiple of {kind.multiple_of}",
    "UniqueItems": lambda kind: "must NOT have duplicate items",
    "AnyOf": lambda kind: "must match a schema in anyOf",
    "OneOfNotValid": lambda kind: "must match exactly one schema in oneOf",
    "OneOfMultipleValid": lambda kind: "must match exactly one schema in oneOf",
    "Not": lambda kind: "must NOT be valid",
    "FalseSchema": lambda kind: "boolean schema is false",
}
