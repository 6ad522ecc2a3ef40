"""Step 1, the route: which operation of the document an interaction's method and path reach.

Paths are matched one segment at a time, literal segments before templated ones, case-sensitive,
a trailing slash significant (as the reference comparator's radix router does). The servers'
base paths are not prefixed (PactFlow does not either); `info.x-opc-config-base-path` is.
A route whose path parameters break their schemas is no route: `request.path-or-method.unknown`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from broker.provider_contracts.comparison import parameters
from broker.provider_contracts.comparison.documents import Document
from broker.provider_contracts.comparison.pacts import HttpInteraction
from broker.provider_contracts.comparison.results import MockDetails, Result, SpecDetails
from broker.provider_contracts.comparison.schemas import Schemas

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


@dataclass
class Operation:
    """One operation with what the steps need resolved once: its parameters (path-level ones
    merged in, operation-level ones winning) and its effective security."""

    path: str
    method: str
    definition: dict[str, Any]
    parameters: list[dict[str, Any]]
    security: list[Any]

    @property
    def location(self) -> str:
        return f"[root].paths.{self.path}.{self.method}"


@dataclass
class _Node:
    literals: dict[str, _Node] = field(default_factory=dict)
    patterns: list[tuple[re.Pattern[str], list[str], _Node]] = field(default_factory=list)
    parameter: tuple[str, _Node] | None = None
    operations: dict[str, Operation] = field(default_factory=dict)


@dataclass(frozen=True)
class Route:
    operation: Operation
    params: dict[str, str]


class Router:
    def __init__(self, document: Document) -> None:
        self._root = _Node()
        content = document.content
        info: dict[str, Any] = content["info"] if isinstance(content.get("info"), dict) else {}
        base = info.get("x-opc-config-base-path") or ""
        for template, item in (content.get("paths") or {}).items():
            item = document.deref(item)
            if not isinstance(item, dict) or not isinstance(template, str):
                continue
            shared = [document.deref(p) for p in item.get("parameters", []) or []]
            for method in METHODS:
                definition = item.get(method)
                if not isinstance(definition, dict):
                    continue
                merged: list[dict[str, Any]] = []
                seen: set[tuple[Any, Any]] = set()
                for parameter in [document.deref(p) for p in definition.get("parameters", []) or []] + shared:
                    if isinstance(parameter, dict) and (parameter.get("name"), parameter.get("in")) not in seen:
                        seen.add((parameter.get("name"), parameter.get("in")))
                        merged.append(parameter)
                security = definition["security"] if "security" in definition else content.get("security") or []
                self._add(base + template, Operation(template, method, definition, merged, security))

    def _add(self, template: str, operation: Operation) -> None:
        node = self._root
        for segment in template.removeprefix("/").split("/"):
            names = _PLACEHOLDER.findall(segment)
            if not names:
                node = node.literals.setdefault(segment, _Node())
            elif segment == "{" + names[0] + "}":
                if node.parameter is None:
                    node.parameter = (names[0], _Node())
                node = node.parameter[1]
            else:
                parts = _PLACEHOLDER.split(segment)
                regex = "".join(re.escape(part) if i % 2 == 0 else "(.+?)" for i, part in enumerate(parts))
                pattern = re.compile(f"^{regex}$")
                existing = next((n for p, _, n in node.patterns if p.pattern == pattern.pattern), None)
                if existing is None:
                    existing = _Node()
                    node.patterns.append((pattern, names, existing))
                node = existing
        node.operations.setdefault(operation.method.upper(), operation)

    def find(self, method: str, path: str) -> Route | None:
        if "?" in path:
            return None
        segments = path.removeprefix("/").split("/")
        found = self._find(self._root, segments, 0, {}, method.upper())
        return Route(found[0], found[1]) if found else None

    def _find(
        self, node: _Node, segments: list[str], index: int, params: dict[str, str], method: str
    ) -> tuple[Operation, dict[str, str]] | None:
        if index == len(segments):
            operation = node.operations.get(method)
            return (operation, params) if operation else None
        segment = segments[index]
        literal = node.literals.get(segment)
        if literal is not None and (found := self._find(literal, segments, index + 1, params, method)):
            return found
        for pattern, names, child in node.patterns:
            matched = pattern.match(segment)
            if matched:
                values = {name: unquote(value) for name, value in zip(names, matched.groups(), strict=True)}
                if found := self._find(child, segments, index + 1, {**params, **values}, method):
                    return found
        if node.parameter is not None and segment:
            name, child = node.parameter
            return self._find(child, segments, index + 1, {**params, name: unquote(segment)}, method)
        return None


def unknown_route(interaction: HttpInteraction, operation: Operation | None = None) -> Result:
    return Result(
        "request.path-or-method.unknown",
        f"Path or method not defined in spec file: {interaction.method} {interaction.path}",
        MockDetails(
            interaction.description,
            interaction.state,
            f"[root].interactions[{interaction.index}].request.path",
            interaction.path,
        ),
        SpecDetails("[root].paths", None, None, operation.definition if operation else None),
    )


def check_path_parameters(schemas: Schemas, route: Route, interaction: HttpInteraction) -> Iterator[Result]:
    """The path parameters against their schemas; any failure means the route does not exist."""
    document = schemas.document
    for parameter in route.operation.parameters:
        if parameter.get("in") != "path" or parameter.get("name") not in route.params:
            continue
        raw = route.params[parameter["name"]]
        schema = parameters.schema_of(parameter)
        value = raw if parameters.is_string(schema, document) else parameters.parse_value(raw)
        style, explode = str(parameter.get("style", "")).lower(), bool(parameter.get("explode"))
        separator = "." if style == "label" and explode else ";" if style == "matrix" and explode else ","
        _, problems = parameters.check(schemas, schema, value, separator)
        for _ in problems:
            yield unknown_route(interaction, route.operation)
