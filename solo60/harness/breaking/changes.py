"""What differs between two OpenAPI documents, as a list of changes a reader can name.

Spec-diff tools stop here and call every change breaking or not by rule; the gate (`gate.py`)
only uses this list to say *what* changed, and asks the consumers' pacts whether it breaks
anyone. So the list aims to be complete and readable rather than to classify: operations,
parameters, request and response fields, status codes, types, enums and requiredness.

Schemas are flattened to one entry per field path (`sessions[].status`) by
`broker/provider_contracts/fields.py`, so a change deep inside a referenced model is reported
at the field a consumer would see.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from broker.provider_contracts.fields import FieldShape, body_schema, deref, flatten, shape_of

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_PLACEHOLDER = re.compile(r"\{[^{}]+\}")


@dataclass(frozen=True)
class Change:
    """One difference between the base and the candidate document."""

    operation: str  # "GET /internal/users/{userId}"
    category: str  # operation | parameter | request field | response field | status | type | enum | requiredness
    action: str  # added | removed | changed
    location: str  # "response 200 body: sessions[].status", "query parameter page", ...
    detail: str
    area: str = ""  # route | query | header | path | request body | response <status> | status
    field: str = ""  # the field or parameter name the change is about, for matching comparator results
    path: str = ""  # a body field's whole path (`sessions[].status`)

    @property
    def weakens_a_promise(self) -> bool:
        """A response field the provider no longer promises to send: made optional, or made nullable.

        The comparator cannot see these (it drops `required` from responses, as PactFlow's does), but a
        consumer that reads the field is broken by them.
        """
        if not (self.area.startswith("response ") and self.path):
            return False
        if self.category == "requiredness":
            return self.detail == "required -> optional"
        if self.category == "type" and " -> " in self.detail:
            before, after = (set(side.split("|")) for side in self.detail.split(" -> ", 1))
            return "null" in after and "null" not in before
        return False

    @property
    def summary(self) -> str:
        return f"{self.category} {self.action}: {self.location}" + (f" ({self.detail})" if self.detail else "")

    def as_json(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "category": self.category,
            "action": self.action,
            "location": self.location,
            "detail": self.detail,
        }


def operation_key(method: str, path: str) -> str:
    """Operations are matched with their placeholders' names ignored (`{id}` and `{userId}` alike)."""
    return f"{method.upper()} {_PLACEHOLDER.sub('{}', path)}"


def operations(document: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any], list[dict[str, Any]]]]:
    """Operation key -> (display name, operation object, its parameters with path-level ones merged)."""
    found = {}
    paths = document.get("paths") or {}
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        shared = [deref(document, p) for p in item.get("parameters", []) if isinstance(p, dict)]
        for method in METHODS:
            definition = item.get(method)
            if not isinstance(definition, dict):
                continue
            own = [deref(document, p) for p in definition.get("parameters", []) if isinstance(p, dict)]
            merged = {
                (p.get("in"), str(p.get("name")).lower() if p.get("in") == "header" else p.get("name")): p
                for p in shared
            }
            merged.update(
                {
                    (p.get("in"), str(p.get("name")).lower() if p.get("in") == "header" else p.get("name")): p
                    for p in own
                }
            )
            found[operation_key(method, path)] = (f"{method.upper()} {path}", definition, list(merged.values()))
    return found


def diff(base: dict[str, Any], candidate: dict[str, Any]) -> list[Change]:
    """Every change from `base` to `candidate`, operation by operation in the candidate's order."""
    before, after = operations(base), operations(candidate)
    changes: list[Change] = []
    for key in [*before, *(k for k in after if k not in before)]:
        if key not in after:
            name = before[key][0]
            changes.append(Change(name, "operation", "removed", name, "", "route"))
        elif key not in before:
            name = after[key][0]
            changes.append(Change(name, "operation", "added", name, "", "route"))
        else:
            name = after[key][0]
            changes += _operation_changes(name, base, before[key], candidate, after[key])
    return changes


def _operation_changes(
    name: str,
    base: dict[str, Any],
    old: tuple[str, dict[str, Any], list[dict[str, Any]]],
    candidate: dict[str, Any],
    new: tuple[str, dict[str, Any], list[dict[str, Any]]],
) -> Iterator[Change]:
    yield from _parameter_changes(name, base, old[2], candidate, new[2])
    old_body = body_schema(base, old[1].get("requestBody"))
    new_body = body_schema(candidate, new[1].get("requestBody"))
    if old_body is not None or new_body is not None:
        yield from _field_changes(name, "request field", "request body", base, old_body, candidate, new_body)
    old_responses = old[1].get("responses") or {}
    new_responses = new[1].get("responses") or {}
    for status in [*old_responses, *(s for s in new_responses if s not in old_responses)]:
        if status not in new_responses:
            yield Change(name, "status", "removed", f"response {status}", "", "status", str(status))
        elif status not in old_responses:
            yield Change(name, "status", "added", f"response {status}", "", "status", str(status))
        else:
            old_schema = body_schema(base, old_responses[status])
            new_schema = body_schema(candidate, new_responses[status])
            yield from _field_changes(
                name, "response field", f"response {status}", base, old_schema, candidate, new_schema
            )


def _parameter_changes(
    name: str,
    base: dict[str, Any],
    old: list[dict[str, Any]],
    candidate: dict[str, Any],
    new: list[dict[str, Any]],
) -> Iterator[Change]:
    def keyed(parameters: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
        out = {}
        for parameter in parameters:
            where, called = str(parameter.get("in")), str(parameter.get("name"))
            out[(where, called.lower() if where == "header" else called)] = parameter
        return out

    before, after = keyed(old), keyed(new)
    for key in [*before, *(k for k in after if k not in before)]:
        where, called = key
        label = f"{where} parameter {called}"
        if key not in after:
            yield Change(name, "parameter", "removed", label, "", where, called)
            continue
        if key not in before:
            required = "required" if after[key].get("required") else "optional"
            yield Change(name, "parameter", "added", label, required, where, called)
            continue
        was, now = bool(before[key].get("required")), bool(after[key].get("required"))
        if was != now:
            yield Change(name, "requiredness", "changed", label, _requiredness(was, now), where, called)
        old_shape = shape_of(base, before[key].get("schema") or {}, required=was)
        new_shape = shape_of(candidate, after[key].get("schema") or {}, required=now)
        yield from _shape_changes(name, label, old_shape, new_shape, where, called)


def _field_changes(
    name: str,
    category: str,
    area: str,
    base: dict[str, Any],
    old: Any,
    candidate: dict[str, Any],
    new: Any,
) -> Iterator[Change]:
    before = flatten(base, old) if old is not None else {}
    after = flatten(candidate, new) if new is not None else {}
    if old is None and new is not None:
        yield Change(name, category, "added", f"{area} body", "the operation now has a body", area)
    elif old is not None and new is None:
        yield Change(name, category, "removed", f"{area} body", "the operation no longer has a body", area)
    for path in [*before, *(p for p in after if p not in before)]:
        label = f"{area}{'' if area.endswith('body') else ' body'}: {path or '(the whole body)'}"
        leaf = _leaf(path)
        if path not in after:
            yield Change(name, category, "removed", label, "", area, leaf, path)
        elif path not in before:
            required = "required" if after[path].required else "optional"
            yield Change(name, category, "added", label, required, area, leaf, path)
        else:
            if path and before[path].required != after[path].required:
                detail = _requiredness(before[path].required, after[path].required)
                yield Change(name, "requiredness", "changed", label, detail, area, leaf, path)
            yield from _shape_changes(name, label, before[path], after[path], area, leaf, path)


def _shape_changes(
    name: str, label: str, old: FieldShape, new: FieldShape, area: str, leaf: str, path: str = ""
) -> Iterator[Change]:
    if old.types != new.types:
        detail = f"{_types(old.types)} -> {_types(new.types)}"
        yield Change(name, "type", "changed", label, detail, area, leaf, path)
    elif old.format != new.format:
        yield Change(name, "type", "changed", label, f"format {old.format} -> {new.format}", area, leaf, path)
    if old.enum != new.enum:
        yield Change(name, "enum", "changed", label, _enum_detail(old.enum, new.enum), area, leaf, path)


def _leaf(path: str) -> str:
    return path.replace("[]", "").rsplit(".", 1)[-1] if path else ""


def _requiredness(was: bool, now: bool) -> str:
    return f"{'required' if was else 'optional'} -> {'required' if now else 'optional'}"


def _types(types: frozenset[str]) -> str:
    return "|".join(sorted(types))


def _enum_detail(old: frozenset[str] | None, new: frozenset[str] | None) -> str:
    if old is None:
        return f"now restricted to {', '.join(sorted(new or ()))}"
    if new is None:
        return "no longer restricted"
    parts = []
    if new - old:
        parts.append("added " + ", ".join(sorted(new - old)))
    if old - new:
        parts.append("removed " + ", ".join(sorted(old - new)))
    return "; ".join(parts)
