"""Parameter values: pacts carry them as strings, documents type them, so they are parsed
(`a,b` -> a list, `k=v,k2=v2` -> an object) and coerced (`"3"` -> 3 for an integer) the way the
reference comparator's validator does, then checked against the parameter's schema."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import parse_qsl

from broker.provider_contracts.comparison.documents import Document
from broker.provider_contracts.comparison.schemas import Problem, Schemas

_PARAMETER_FIELDS = ("name", "in", "description", "required", "style", "explode", "deprecated", "allowEmptyValue")


def schema_of(parameter: dict[str, Any]) -> Any:
    """A parameter's schema (`schema`, or for a header object without one, its own fields)."""
    if "schema" in parameter:
        return parameter["schema"]
    return {key: value for key, value in parameter.items() if key not in _PARAMETER_FIELDS and key != "content"}


def types_of(schema: Any, document: Document) -> list[str]:
    """The JSON types a schema admits at its top level (through `$ref`, `anyOf` and `oneOf`)."""
    target = document.deref(schema)
    if not isinstance(target, dict):
        return []
    kind = target.get("type")
    if isinstance(kind, str):
        return [kind]
    if isinstance(kind, list):
        return [item for item in kind if isinstance(item, str)]
    found: list[str] = []
    for keyword in ("anyOf", "oneOf"):
        for member in target.get(keyword, []) if isinstance(target.get(keyword), list) else []:
            found.extend(item for item in types_of(member, document) if item not in found)
    return found


def is_string(schema: Any, document: Document) -> bool:
    """Whether the value should be taken as written (the schema admits a string)."""
    return "string" in types_of(schema, document)


def parse_value(text: str | None) -> Any:
    """`k=v,k2=v2` is an object, `a,b` a list, anything else the string itself."""
    if not text:
        return text
    if "=" in text:
        return dict(parse_qsl(text.replace(",", "&"), keep_blank_values=True))
    if "," in text:
        return text.split(",")
    return text


def coerce(value: Any, schema: Any, document: Document) -> Any:
    """`value` converted to the first type of the schema a string can stand for."""
    target = document.deref(schema)
    if isinstance(value, list):
        items = target.get("items") if isinstance(target, dict) else None
        return [coerce(item, items, document) for item in value] if items is not None else value
    if not isinstance(value, str):
        return value
    types = types_of(target, document)
    if not types or "string" in types:
        return value
    for kind in types:
        converted = _convert(value, kind)
        if converted is not _UNCHANGED:
            return converted
    return value


_UNCHANGED = object()


def _convert(text: str, kind: str) -> Any:
    if kind in ("integer", "number"):
        try:
            number = float(text) if text.strip() else math.nan
        except ValueError:
            return _UNCHANGED
        if not math.isfinite(number):
            return _UNCHANGED
        if kind == "integer":
            return int(number) if number.is_integer() else _UNCHANGED
        return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number
    if kind == "boolean":
        return {"true": True, "false": False}.get(text, _UNCHANGED)
    if kind == "null":
        return None if text == "" else _UNCHANGED
    return _UNCHANGED


def check(schemas: Schemas, schema: Any, value: Any, separator: str = ",") -> tuple[Any, list[Problem]]:
    """The value as validated (split and coerced) and its problems against the schema."""
    document = schemas.document
    if isinstance(value, str) and "array" in types_of(schema, document) and "string" not in types_of(schema, document):
        value = value.split(separator)
    value = coerce(value, schema, document)
    return value, schemas.compiled(schema, "request").problems(value)
