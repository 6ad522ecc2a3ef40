"""The provider states the pacts set up for each operation of a provider, with their params.

A consumer's pact names, for each interaction, the states its provider must be in, and the
params that say which user, session or token. Those are the data an operation needs to reach
its logic rather than a 404; the fuzzer sets them up before fuzzing the operation. An
interaction's concrete request path (`/internal/sessions/session-1/cancel`) is matched to the
OpenAPI path template it instantiates (`/internal/sessions/{sessionId}/cancel`), so states are
keyed by operation label, as Schemathesis names operations.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_PACTS_DIR = Path(__file__).resolve().parents[2] / "pacts"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PARAMETER = re.compile(r"\{[^/{}]+\}")


@dataclass(frozen=True)
class StateUse:
    """One provider state as a pact names it: the state and the params it is set up with."""

    state: str
    params: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, state: str, params: Mapping[str, Any] | None = None) -> StateUse:
        # Params are kept as sorted pairs so the same state with the same params is one use.
        return cls(state, tuple(sorted((str(name), _frozen(value)) for name, value in (params or {}).items())))

    def params_dict(self) -> dict[str, Any]:
        return {name: _thawed(value) for name, value in self.params}


OperationStates = dict[str, tuple[StateUse, ...]]
"""Operation label (`POST /internal/auth/verify-email`) -> the states to set up, in first-seen order."""


class PathTemplates:
    """A document's operations, to tell which one a concrete request path is an instance of."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        templates = []
        for template, item in (document.get("paths") or {}).items():
            if not isinstance(item, Mapping):
                continue
            pattern = re.compile("^" + _PARAMETER.sub("[^/]+", _escaped_literals(template)) + "/?$")
            for method in item:
                if method in HTTP_METHODS:
                    templates.append((method.upper(), template, pattern))
        # A literal segment beats a parameter: `/users/by-email` is not `/users/{userId}`.
        templates.sort(key=lambda entry: (len(_PARAMETER.findall(entry[1])), -len(entry[1])))
        self._templates = templates

    def label_for(self, method: str, path: str) -> str | None:
        method = method.upper()
        for candidate, template, pattern in self._templates:
            if candidate == method and pattern.match(path):
                return f"{method} {template}"
        return None


def pact_states(provider: str, document: Mapping[str, Any], pacts_dir: Path = DEFAULT_PACTS_DIR) -> OperationStates:
    """The states the pacts in `pacts_dir` use, per operation of `provider` (whose document is given)."""
    templates = PathTemplates(document)
    found: dict[str, dict[StateUse, None]] = {}
    for pact in _pacts_of(provider, pacts_dir):
        for interaction in pact.get("interactions") or []:
            request = interaction.get("request") if isinstance(interaction, Mapping) else None
            if not isinstance(request, Mapping):
                continue  # a message interaction: no HTTP operation to seed
            label = templates.label_for(str(request.get("method", "")), str(request.get("path", "")))
            if label is None:
                continue
            uses = found.setdefault(label, {})
            for use in interaction_states(interaction):
                uses.setdefault(use, None)
    return {label: tuple(uses) for label, uses in found.items() if uses}


def interaction_states(interaction: Mapping[str, Any]) -> list[StateUse]:
    """The states of one interaction: V3/V4 `providerStates` with params, or V2's one `providerState`."""
    states = interaction.get("providerStates")
    if isinstance(states, list):
        return [
            StateUse.of(state["name"], state.get("params") if isinstance(state.get("params"), Mapping) else None)
            for state in states
            if isinstance(state, Mapping) and isinstance(state.get("name"), str) and state["name"]
        ]
    single = interaction.get("providerState")
    return [StateUse.of(single)] if isinstance(single, str) and single else []


def _pacts_of(provider: str, pacts_dir: Path) -> Iterable[Mapping[str, Any]]:
    if not pacts_dir.is_dir():
        return
    for path in sorted(pacts_dir.glob("*.json")):
        if path.name.startswith("."):
            continue  # a file being written
        try:
            pact = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # not a pact; the harness's own steps report broken pacts
        if isinstance(pact, Mapping) and (pact.get("provider") or {}).get("name") == provider:
            yield pact


def _escaped_literals(template: str) -> str:
    parts = _PARAMETER.split(template)
    names = _PARAMETER.findall(template)
    return "".join(re.escape(part) + (names[index] if index < len(names) else "") for index, part in enumerate(parts))


def _frozen(value: Any) -> Any:
    if isinstance(value, Mapping):
        return ("__map__", tuple(sorted((str(key), _frozen(item)) for key, item in value.items())))
    if isinstance(value, list):
        return ("__list__", tuple(_frozen(item) for item in value))
    return value


def _thawed(value: Any) -> Any:
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "__map__":
        return {key: _thawed(item) for key, item in value[1]}
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "__list__":
        return [_thawed(item) for item in value[1]]
    return value
