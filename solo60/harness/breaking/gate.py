"""The judgement: which changes between two documents break which consumer interactions.

An interaction is broken by the candidate when PactFlow's comparator finds it compatible with
the base document and not with the candidate. Each of its new errors is put down to the
changes of the operation it reaches, as narrowly as the error allows: its area (route, query,
header, request body, status, the response of its status) and the field the error names. A
change no broken interaction is put down to is safe. An error no listed change explains (a
change the diff does not describe, such as security) is reported as a change of its own, so
no break goes unnamed.

The comparator drops `required` from response schemas (as PactFlow's does), so it cannot see a
provider stop promising a field: a response field made optional or nullable. Those changes
break every interaction that reads the field (its pact's response holds it), which is checked
here directly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from broker.provider_contracts.comparison import Comparator, Document, Result
from broker.provider_contracts.comparison.pacts import http_interactions
from broker.provider_contracts.coverage import read_paths
from solo60.harness.breaking.changes import Change, diff, operation_key
from solo60.harness.breaking.consumers import ConsumerPact

_INDEX = re.compile(r"^\[root\]\.interactions\[(\d+)\]")
_QUOTED = re.compile(r"'([^']+)'")


@dataclass(frozen=True)
class Break:
    """One consumer interaction the change breaks, and what the comparator says about it."""

    consumer: str
    version: str
    why: str
    interaction: str
    problems: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "consumer": self.consumer,
            "version": self.version,
            "why": self.why,
            "interaction": self.interaction,
            "problems": list(self.problems),
        }


@dataclass
class JudgedChange:
    change: Change
    breaks: list[Break] = field(default_factory=list)

    @property
    def safe(self) -> bool:
        return not self.breaks

    def as_json(self) -> dict[str, Any]:
        return {**self.change.as_json(), "safe": self.safe, "breaks": [b.as_json() for b in self.breaks]}


@dataclass
class ProviderVerdict:
    provider: str
    changes: list[JudgedChange]
    consumers: list[ConsumerPact]
    missing: str = ""  # the provider exists on one side only

    @property
    def breaking(self) -> bool:
        return any(not judged.safe for judged in self.changes)

    def as_json(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "breaking": self.breaking,
            "consumers": [
                {"consumer": pact.consumer, "version": pact.version, "why": pact.why} for pact in self.consumers
            ],
            "changes": [judged.as_json() for judged in self.changes],
            **({"note": self.missing} if self.missing else {}),
        }


def as_document(content: dict[str, Any]) -> Document:
    return Document(content, str(content.get("openapi", "3.1"))[:3])


def judge(
    provider: str, base: dict[str, Any] | None, candidate: dict[str, Any] | None, pacts: Iterable[ConsumerPact]
) -> ProviderVerdict:
    """The changes from `base` to `candidate` and, for each, the consumer interactions it breaks."""
    pacts = list(pacts)
    empty: dict[str, Any] = {"openapi": "3.1.0", "paths": {}}
    missing = ""
    if base is None:
        missing = "the provider is new: nothing can break"
        return ProviderVerdict(provider, [], pacts, missing)
    if candidate == base:
        return ProviderVerdict(provider, [], pacts)  # the same document: nothing can break
    if candidate is None:
        missing = "the provider's contract is gone"
    candidate = candidate if candidate is not None else empty
    judged = {change: JudgedChange(change) for change in diff(base, candidate)}
    weakened = [change for change in judged if change.weakens_a_promise]
    before, after = Comparator(as_document(base)), Comparator(as_document(candidate))
    for pact in pacts:
        name = f"{pact.consumer} {pact.version}"
        base_errors = _errors_by_interaction(before.compare(pact.content, name))
        candidate_errors = _errors_by_interaction(after.compare(pact.content, name))
        for interaction in http_interactions(pact.content, name):
            if interaction.index in base_errors:
                continue
            route = before.router.find(interaction.method, _slashed(interaction.path))
            key = operation_key(route.operation.method, route.operation.path) if route else ""
            per_change: dict[Change, list[str]] = {}
            if weakened and key:
                read = set(read_paths(interaction.response_body))
                for change in weakened:
                    on_this = operation_key(*change.operation.split(" ", 1)) == key
                    if on_this and change.area == f"response {interaction.status}" and change.path in read:
                        per_change[change] = [f"reads {change.path}, which the provider no longer promises to send"]
            for result in candidate_errors.get(interaction.index, []):
                for change in _explained_by(result, key, interaction.status, list(judged)):
                    per_change.setdefault(change, []).append(f"{result.code}: {result.message}")
            for change, problems in per_change.items():
                judged.setdefault(change, JudgedChange(change)).breaks.append(
                    Break(pact.consumer, pact.version, pact.why, interaction.description or "", tuple(problems))
                )
    return ProviderVerdict(provider, list(judged.values()), pacts, missing)


def _slashed(path: str) -> str:
    return path if path.startswith("/") else "/" + path


def _errors_by_interaction(results: list[Result]) -> dict[int, list[Result]]:
    errors: dict[int, list[Result]] = {}
    for result in results:
        found = _INDEX.match(result.mock.location)
        if result.is_error and found:
            errors.setdefault(int(found.group(1)), []).append(result)
    return errors


def _area_of(result: Result, status: int) -> set[str]:
    code = result.code
    if code == "request.path-or-method.unknown":
        return {"route", "path"}
    if code.startswith("request.query"):
        return {"query"}
    if code.startswith("request.content-type") or code.startswith("request.body"):
        return {"request body", "header"}
    if code.startswith("request."):
        return {"header"}
    if code.startswith("response.status"):
        return {"status"}
    return {f"response {status}", "status"}


def _names_in(result: Result) -> set[str]:
    names = {part for part in result.mock.location.split(".") if part and not part.isdigit()}
    names.update(_QUOTED.findall(result.message))
    if " - " in result.message:
        names.add(result.message.rsplit(" - ", 1)[-1].strip())
    return {name.lower() for name in names}


def _explained_by(result: Result, key: str, status: int, changes: list[Change]) -> list[Change]:
    own = [change for change in changes if key and operation_key(*change.operation.split(" ", 1)) == key]
    areas = _area_of(result, status)
    in_area = [change for change in own if change.area in areas]
    names = _names_in(result)
    if result.code.startswith("response.status"):
        names.add(str(status))
    named = [change for change in in_area if change.field and change.field.lower() in names]
    for candidates in (named, in_area, own):
        if candidates:
            return candidates
    operation = key or "an operation"
    return [Change(operation, "other", "changed", f"{operation}: not described above", result.code, "other")]
