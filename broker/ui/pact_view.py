"""A pact for people: each interaction's description, provider states with their parameters,
the request and response (or message) line by line, and the matchers and generators next to
the fields they govern.

Matching rules come in the V2 shape (`$.body.id` keys on the request/response) and the V3/V4
shape (`{"body": {"$.id": {"matchers": [...]}}, "header": ..., "path": ..., "query": ...}`);
both are read into one form, keyed by category and path.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

Rules = dict[str, dict[str, list[str]]]
"""category ("body", "header", "query", "path", "status", "metadata") -> path or name -> texts"""

_TOKEN = re.compile(r"\[\s*'([^']*)'\s*\]|\[\s*\"([^\"]*)\"\s*\]|\[\s*(\*|\d+)\s*\]|\.?([^.\[\]]+)")
CATEGORIES = {"body", "header", "headers", "query", "path", "status", "metadata", "content"}


@dataclass(frozen=True)
class Line:
    indent: int
    text: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Field:
    name: str
    value: str
    notes: tuple[str, ...] = ()


@dataclass
class Part:
    """A request, a response or a message."""

    title: str
    summary: str = ""
    summary_notes: tuple[str, ...] = ()
    fields: list[Field] = field(default_factory=list)  # headers, query parameters, metadata
    field_kind: str = "Headers"
    extra_fields: list[Field] = field(default_factory=list)
    extra_kind: str = ""
    body: list[Line] = field(default_factory=list)
    body_type: str = ""


@dataclass
class InteractionView:
    number: int
    description: str
    kind: str
    states: list[tuple[str, str]]
    parts: list[Part]
    pending: bool = False
    comments: list[str] = field(default_factory=list)


def describe_matcher(rule: Any) -> str:
    if not isinstance(rule, dict):
        return str(rule)
    match = rule.get("match") or ("regex" if "regex" in rule else "type" if "min" in rule or "max" in rule else "")
    details = {key: value for key, value in rule.items() if key != "match"}
    if match == "regex":
        return f"matches /{details.get('regex', '')}/"
    if match == "type":
        bounds = [f"{key} {details[key]}" for key in ("min", "max") if key in details]
        return "same type" + (f" ({', '.join(bounds)})" if bounds else "")
    if match in ("date", "time", "datetime", "timestamp"):
        pattern = details.get("format") or details.get(match) or ""
        return f"{match}{f' {pattern}' if pattern else ''}"
    if match == "include":
        return f"includes {json.dumps(details.get('value'), ensure_ascii=False)}"
    if match == "equality":
        return "equals"
    if match == "contentType":
        return f"content type {details.get('value', '')}"
    if match == "statusCode":
        return f"status {details.get('status', '')}"
    rest = ", ".join(f"{key} {json.dumps(value, ensure_ascii=False)}" for key, value in details.items())
    return f"{match}{f' ({rest})' if rest else ''}" if match else rest


def _matcher_texts(entry: Any) -> list[str]:
    if isinstance(entry, dict) and isinstance(entry.get("matchers"), list):
        texts = [describe_matcher(rule) for rule in entry["matchers"]]
        if entry.get("combine") == "OR" and len(texts) > 1:
            return [" or ".join(texts)]
        return texts
    return [describe_matcher(entry)]


def read_rules(owner: dict[str, Any]) -> Rules:
    """Matching rules of a request, response or message, V2 or V3/V4, in one shape."""
    raw = owner.get("matchingRules")
    rules: Rules = {}
    if not isinstance(raw, dict):
        return rules
    for key, entry in raw.items():
        if key in CATEGORIES and isinstance(entry, dict) and not key.startswith("$"):
            category = "header" if key == "headers" else "body" if key == "content" else key
            if category == "path" or category == "status":
                rules.setdefault(category, {})[""] = _matcher_texts(entry)
            else:
                for path, inner in entry.items():
                    rules.setdefault(category, {}).setdefault(path, []).extend(_matcher_texts(inner))
        elif key.startswith("$."):  # V2: "$.body.x", "$.headers.X", "$.query.q", "$.path"
            parts = key[2:].split(".", 1)
            category = {"headers": "header"}.get(parts[0], parts[0])
            rest = parts[1] if len(parts) > 1 else ""
            path = "$" + ("." + rest if rest and category == "body" else "") if category == "body" else rest
            rules.setdefault(category, {}).setdefault(path, []).extend(_matcher_texts(entry))
    return rules


def read_generators(owner: dict[str, Any]) -> Rules:
    raw = owner.get("generators")
    found: Rules = {}
    if not isinstance(raw, dict):
        return found
    for category, entries in raw.items():
        if not isinstance(entries, dict):
            continue
        name = "header" if category == "headers" else category
        if "type" in entries and not isinstance(entries.get("type"), dict):
            found.setdefault(name, {})[""] = [f"generated: {entries['type']}"]
            continue
        for path, generator in entries.items():
            if isinstance(generator, dict):
                found.setdefault(name, {}).setdefault(path, []).append(f"generated: {generator.get('type', '?')}")
    return found


def path_tokens(expression: str) -> list[str]:
    """`$.a['b c'][0].*` -> ["a", "b c", "0", "*"]."""
    text = expression.strip()
    if text.startswith("$"):
        text = text[1:]
    tokens = []
    for match in _TOKEN.finditer(text):
        token = next(group for group in match.groups() if group is not None)
        tokens.append(token)
    return tokens


def _notes_for(tokens: list[str], body_rules: dict[str, list[str]]) -> tuple[str, ...]:
    notes: list[str] = []
    for expression, texts in body_rules.items():
        wanted = path_tokens(expression)
        if len(wanted) == len(tokens) and all(w in ("*", t) for w, t in zip(wanted, tokens, strict=True)):
            notes.extend(texts)
    return tuple(dict.fromkeys(notes))


def annotated_json(value: Any, body_rules: dict[str, list[str]]) -> list[Line]:
    lines: list[Line] = []

    def walk(item: Any, tokens: list[str], indent: int, prefix: str, comma: str) -> None:
        notes = _notes_for(tokens, body_rules)
        if isinstance(item, dict) and item:
            lines.append(Line(indent, prefix + "{", notes))
            for index, (key, child) in enumerate(item.items()):
                walk(
                    child,
                    [*tokens, str(key)],
                    indent + 1,
                    json.dumps(key, ensure_ascii=False) + ": ",
                    "," if index < len(item) - 1 else "",
                )
            lines.append(Line(indent, "}" + comma))
        elif isinstance(item, list) and item:
            lines.append(Line(indent, prefix + "[", notes))
            for index, child in enumerate(item):
                walk(child, [*tokens, str(index)], indent + 1, "", "," if index < len(item) - 1 else "")
            lines.append(Line(indent, "]" + comma))
        else:
            lines.append(Line(indent, prefix + json.dumps(item, ensure_ascii=False) + comma, notes))

    walk(value, [], 0, "", "")
    return lines


def _body(owner: dict[str, Any], key: str, rules: Rules, generators: Rules) -> tuple[list[Line], str]:
    if key not in owner:
        return [], ""
    raw = owner[key]
    content_type = ""
    if isinstance(raw, dict) and "content" in raw and ("contentType" in raw or "encoded" in raw):  # V4 body
        content_type = str(raw.get("contentType") or "")
        if raw.get("encoded") not in (None, False):
            return [
                Line(0, f"({raw.get('encoded')}-encoded content, {len(str(raw.get('content')))} characters)")
            ], content_type
        raw = raw.get("content")
    if isinstance(raw, str) and "json" in content_type:
        with contextlib.suppress(ValueError):
            raw = json.loads(raw)
    if isinstance(raw, str):
        return [Line(0, line) for line in raw.splitlines() or [""]], content_type
    merged: dict[str, list[str]] = {}
    for source in (rules.get("body", {}), generators.get("body", {})):
        for path, texts in source.items():
            merged.setdefault(path, []).extend(texts)
    return annotated_json(raw, merged), content_type


def _named_fields(values: Any, notes: dict[str, list[str]]) -> list[Field]:
    if isinstance(values, str):  # V2 query string
        return [Field("", values)]
    if not isinstance(values, dict):
        return []
    lowered = {name.lower(): texts for name, texts in notes.items()}
    shown = []
    for name, value in values.items():
        text = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
        shown.append(Field(str(name), text, tuple(lowered.get(str(name).lower(), []))))
    return shown


def _request(request: dict[str, Any]) -> Part:
    rules, generators = read_rules(request), read_generators(request)
    body, body_type = _body(request, "body", rules, generators)
    path_notes = tuple(rules.get("path", {}).get("", []) + generators.get("path", {}).get("", []))
    header_notes = {**generators.get("header", {}), **rules.get("header", {})}
    query_notes = {**generators.get("query", {}), **rules.get("query", {})}
    return Part(
        title="Request",
        summary=f"{str(request.get('method', 'GET')).upper()} {request.get('path', '/')}",
        summary_notes=path_notes,
        fields=_named_fields(request.get("headers"), header_notes),
        extra_fields=_named_fields(request.get("query"), query_notes),
        extra_kind="Query",
        body=body,
        body_type=body_type,
    )


def _response(response: dict[str, Any], title: str = "Response") -> Part:
    rules, generators = read_rules(response), read_generators(response)
    body, body_type = _body(response, "body", rules, generators)
    return Part(
        title=title,
        summary=f"Status {response.get('status', 200)}",
        summary_notes=tuple(rules.get("status", {}).get("", [])),
        fields=_named_fields(response.get("headers"), {**generators.get("header", {}), **rules.get("header", {})}),
        body=body,
        body_type=body_type,
    )


def _message(message: dict[str, Any], title: str = "Message") -> Part:
    rules, generators = read_rules(message), read_generators(message)
    body, body_type = _body(message, "contents", rules, generators)
    return Part(
        title=title,
        fields=_named_fields(message.get("metadata"), rules.get("metadata", {})),
        field_kind="Metadata",
        body=body,
        body_type=body_type,
    )


def _states(interaction: dict[str, Any]) -> list[tuple[str, str]]:
    states = interaction.get("providerStates")
    if isinstance(states, list):
        return [
            (
                str(state.get("name", "")),
                json.dumps(state["params"], ensure_ascii=False, sort_keys=True) if state.get("params") else "",
            )
            for state in states
            if isinstance(state, dict)
        ]
    if isinstance(interaction.get("providerState"), str):
        return [(interaction["providerState"], "")]
    return []


def describe(document: dict[str, Any]) -> list[InteractionView]:
    """Every interaction and message of a pact document, in order."""
    items = [*document.get("interactions", []), *document.get("messages", [])]
    views = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            continue
        kind = str(item.get("type") or ("Asynchronous/Messages" if "contents" in item else "Synchronous/HTTP"))
        parts: list[Part] = []
        if "contents" in item:
            parts.append(_message(item))
        elif kind == "Synchronous/Messages":
            parts.append(_message(item.get("request") or {}, "Request message"))
            responses = item.get("response") if isinstance(item.get("response"), list) else []
            parts += [_message(response, "Response message") for response in responses if isinstance(response, dict)]
        else:
            parts.append(_request(item.get("request") or {}))
            parts.append(_response(item.get("response") or {}))
        comments = item.get("comments", {}).get("text", []) if isinstance(item.get("comments"), dict) else []
        views.append(
            InteractionView(
                number=number,
                description=str(item.get("description", "")),
                kind=kind,
                states=_states(item),
                parts=parts,
                pending=bool(item.get("pending")),
                comments=[str(comment) for comment in comments],
            )
        )
    return views
