"""The fields of an OpenAPI body schema, one entry per path a consumer can read (`sessions[].status`).

`$ref`s are followed, `allOf` merged and `anyOf`/`oneOf` spread (a field's types are the union
of its members'), so a field deep inside a referenced model is named where a consumer sees it.
Used by the breaking-change gate (what changed) and the coverage map (what nobody reads).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_DEPTH = 12


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
            stack.insert(0, resolve(document, ref))
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


def shape_of(document: dict[str, Any], schema: Any, *, required: bool) -> FieldShape:
    members, _ = _members(document, schema, ())
    return _combine(members, required)


def body_schema(document: dict[str, Any], holder: Any) -> Any:
    """The JSON schema of a request body or a response (`application/json` first), or None."""
    holder = deref(document, holder) if isinstance(holder, dict) else None
    content = holder.get("content") if isinstance(holder, dict) else None
    if not isinstance(content, dict) or not content:
        return None
    chosen = content.get("application/json") or next(iter(content.values()))
    return chosen.get("schema", {}) if isinstance(chosen, dict) else None


def deref(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    seen = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"] not in seen:
        seen.add(node["$ref"])
        node = resolve(document, node["$ref"])
    return node


def resolve(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    if not ref.startswith("#/"):
        return {}
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            return {}
    return node
