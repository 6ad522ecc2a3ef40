"""What differs between two OpenAPI documents, as a list of changes a reader can name.

Spec-diff tools stop here and call every change breaking or not by rule; the gate (`gate.py`)
only uses this list to say *what* changed, and asks the consumers' pacts whether it breaks
anyone. So the list aims to be complete and readable rather than to classify: operations,
parameters, request and response fields, status codes, types, enums and requiredness.

Schemas are flattened to one entry per field path (`sessions[].status`), following `$ref`s,
`allOf` (merged) and `anyOf`/`oneOf` (a field's types are the union of the members'), so a
change deep inside a referenced model is reported at the field a consumer would see.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_PLACEHOLDER = re.compile(r"\{[^{}]+\}")
MAX_DEPTH = 12


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


@dataclass(frozen=True)
class FieldShape:
    """What a consumer can see of one field: its types, allowed values, format and requiredness."""

    types: frozenset[str]
    enum: frozenset[str] | None
    format: str | None
    required: bool


@dataclass
class _Walk:
    document: dict[str, Any]
    fields: dict[str, FieldShape] = field(default_factory=dict)


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
        shared = [_deref(document, p) for p in item.get("parameters", []) if isinstance(p, dict)]
        for method in METHODS:
            definition = item.get(method)
            if not isinstance(definition, dict):
                continue
            own = [_deref(document, p) for p in definition.get("parameters", []) if isinstance(p, dict)]
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
    old_body = _body_schema(base, old[1].get("requestBody"))
    new_body = _body_schema(candidate, new[1].get("requestBody"))
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
            old_schema = _body_schema(base, old_responses[status])
            new_schema = _body_schema(candidate, new_responses[status])
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
        old_shape = _shape(base, before[key].get("schema") or {}, required=was)
        new_shape = _shape(candidate, after[key].get("schema") or {}, required=now)
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
            yield Change(name, category, "removed", label, "", area, leaf)
        elif path not in before:
            required = "required" if after[path].required else "optional"
            yield Change(name, category, "added", label, required, area, leaf)
        else:
            if path and before[path].required != after[path].required:
                detail = _requiredness(before[path].required, after[path].required)
                yield Change(name, "requiredness", "changed", label, detail, area, leaf)
            yield from _shape_changes(name, label, before[path], after[path], area, leaf)


def _shape_changes(name: str, label: str, old: FieldShape, new: FieldShape, area: str, leaf: str) -> Iterator[Change]:
    if old.types != new.types:
        detail = f"{_types(old.types)} -> {_types(new.types)}"
        yield Change(name, "type", "changed", label, detail, area, leaf)
    elif old.format != new.format:
        yield Change(name, "type", "changed", label, f"format {old.format} -> {new.format}", area, leaf)
    if old.enum != new.enum:
        yield Change(name, "enum", "changed", label, _enum_detail(old.enum, new.enum), area, leaf)


def flatten(document: dict[str, Any], schema: Any) -> dict[str, FieldShape]:
    """One entry per field path of a body schema; "" is the body itself."""
    walk = _Walk(document)
    _visit(walk, schema, "", True, (), 0)
    return walk.fields


def _visit(walk: _Walk, schema: Any, path: str, required: bool, refs: tuple[str, ...], depth: int) -> None:
    if depth > MAX_DEPTH:
        return
    members, seen = _members(walk.document, schema, refs)
    walk.fields[path] = _combine(members, required)
    properties: dict[str, list[Any]] = {}
    required_names: set[str] = set()
    items: list[Any] = []
    every_member_requires: set[str] | None = None
    for member in members:
        if isinstance(member.get("properties"), dict):
            for key, value in member["properties"].items():
                properties.setdefault(key, []).append(value)
            names = set(member.get("required") or [])
            every_member_requires = names if every_member_requires is None else every_member_requires & names
        if "items" in member:
            items.append(member["items"])
    required_names = every_member_requires or set()
    for key, values in properties.items():
        child = f"{path}.{key}" if path else key
        _visit(walk, {"anyOf": values} if len(values) > 1 else values[0], child, key in required_names, seen, depth + 1)
    if items:
        _visit(walk, {"anyOf": items} if len(items) > 1 else items[0], f"{path}[]", True, seen, depth + 1)


def _members(
    document: dict[str, Any], schema: Any, refs: tuple[str, ...]
) -> tuple[list[dict[str, Any]], tuple[str, ...]]:
    """The plain schemas a value may match: `$ref`s followed, `allOf` merged, `anyOf`/`oneOf` spread."""
    found: list[dict[str, Any]] = []
    seen = refs
    stack = [schema]
    while stack:
        node = stack.pop(0)
        if not isinstance(node, dict):
            continue
        if isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if ref in seen:
                found.append({"type": "object", "x-recursive": ref})
                continue
            seen = (*seen, ref)
            stack.insert(0, _resolve(document, ref))
            continue
        if isinstance(node.get("allOf"), list):
            merged: dict[str, Any] = {k: v for k, v in node.items() if k != "allOf"}
            for part in node["allOf"]:
                part_members, seen = _members(document, part, seen)
                for member in part_members:
                    merged = _merge(merged, member)
            stack.insert(0, merged)
            continue
        alternatives = node.get("anyOf") or node.get("oneOf")
        if isinstance(alternatives, list):
            rest = {k: v for k, v in node.items() if k not in ("anyOf", "oneOf")}
            if rest.get("properties") or rest.get("type"):
                found.append(rest)
            stack[0:0] = alternatives
            continue
        found.append(node)
    return found, seen


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    result = dict(base)
    for key, value in extra.items():
        if key == "required" and isinstance(value, list):
            result[key] = list(dict.fromkeys([*result.get(key, []), *value]))
        elif key == "properties" and isinstance(value, dict):
            result[key] = {**result.get(key, {}), **value}
        else:
            result.setdefault(key, value)
    return result


def _combine(members: list[dict[str, Any]], required: bool) -> FieldShape:
    types: set[str] = set()
    enum: set[str] | None = None
    formats = set()
    for member in members:
        kind = member.get("type")
        if isinstance(kind, list):
            types.update(str(item) for item in kind)
        elif isinstance(kind, str):
            types.add(kind)
        elif "properties" in member:
            types.add("object")
        elif "const" in member:
            types.add(type(member["const"]).__name__ if member["const"] is not None else "null")
        values = member.get("enum", [member["const"]] if "const" in member else None)
        if isinstance(values, list):
            enum = (enum or set()) | {repr(value) if not isinstance(value, str) else value for value in values}
        elif kind not in (None, "null") and enum is not None:
            enum = None  # one member takes any value of its type: no restriction left
        if isinstance(member.get("format"), str):
            formats.add(member["format"])
    return FieldShape(
        frozenset(types or {"any"}),
        frozenset(enum) if enum is not None else None,
        ",".join(sorted(formats)) or None,
        required,
    )


def _shape(document: dict[str, Any], schema: Any, *, required: bool) -> FieldShape:
    members, _ = _members(document, schema, ())
    return _combine(members, required)


def _body_schema(document: dict[str, Any], holder: Any) -> Any:
    """The JSON schema of a request body or a response (`application/json` first), or None."""
    holder = _deref(document, holder) if isinstance(holder, dict) else None
    content = holder.get("content") if isinstance(holder, dict) else None
    if not isinstance(content, dict) or not content:
        return None
    chosen = content.get("application/json") or next(iter(content.values()))
    return chosen.get("schema", {}) if isinstance(chosen, dict) else None


def _deref(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    seen = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"] not in seen:
        seen.add(node["$ref"])
        node = _resolve(document, node["$ref"])
    return node


def _resolve(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    if not ref.startswith("#/"):
        return {}
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            return {}
    return node


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
