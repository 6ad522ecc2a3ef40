"""The coverage map: for every provider operation and documented status, who uses it and what they read.

From a provider's OpenAPI document and the consumer pacts that matter, per operation and status:
the consumer interactions that reach it (routed the way PactFlow's comparator routes them),
whether each is verified (by the provider's own verification when the caller knows it, else
by comparing the pact with the document), which response fields any consumer reads (the
fields of the pact's response body, which holds only what the consumer's code reads) and which
it documents that nobody reads; whether fuzzing reached the operation when a fuzz run says so.
Operations, statuses and fields no consumer uses are listed per provider.

Shared by `solo60 contracts coverage` (the working tree's contracts, `pacts/`) and the broker's
`/coverage` resource (published provider contracts and pacts), so both say the same.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from broker.provider_contracts.comparison import Comparator, Document
from broker.provider_contracts.comparison.pacts import http_interactions
from broker.provider_contracts.fields import body_schema, flatten

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
VERIFIED_BY_COMPARISON = "compatible by comparison"
INCOMPATIBLE_BY_COMPARISON = "incompatible by comparison"


@dataclass(frozen=True)
class PactUse:
    """One consumer version's pact with the provider, and what is known of its verification."""

    consumer: str
    version: str
    content: dict[str, Any]
    verified_by_provider: str | None = None  # "verified by user 1a2b" when the provider verified this pact


@dataclass(frozen=True, slots=True)
class InteractionUse:
    """What one HTTP interaction of a pact says against one document: the operation it routes
    to, whether comparing it found an error, and what its response body reads. It depends only
    on the two contents, so a caller may keep it for as long as it holds the same two SHAs."""

    description: str
    method: str
    path: str
    status: int
    operation: tuple[str, str] | None  # (path, method) in the document, None when no route fits
    incompatible: bool
    reads: tuple[str, ...]


@dataclass(frozen=True)
class AnalysedPact:
    """A pact use whose interactions were already compared with the document."""

    consumer: str
    version: str
    interactions: Sequence[InteractionUse]
    verified_by_provider: str | None = None


@dataclass(frozen=True)
class DocumentedOperation:
    """An operation of the document with its documented statuses and their response fields."""

    path: str
    method: str
    label: str
    statuses: tuple[tuple[str, tuple[str, ...]], ...]  # (status, the fields of its body), in document order


def comparator_for(document: dict[str, Any]) -> Comparator:
    """The comparator the coverage map routes and compares with (the document's own OpenAPI version)."""
    return Comparator(Document(document, str(document.get("openapi", "3.1"))[:3]))


def documented_operations(document: dict[str, Any]) -> tuple[DocumentedOperation, ...]:
    """Every operation of the document with its statuses and the fields each status's body documents."""
    found: list[DocumentedOperation] = []
    for path, item in (document.get("paths") or {}).items():
        for method in METHODS:
            definition = item.get(method) if isinstance(item, dict) else None
            if not isinstance(definition, dict):
                continue
            statuses: dict[str, tuple[str, ...]] = {}
            for status, response in (definition.get("responses") or {}).items():
                schema = body_schema(document, response)
                known = sorted(name for name in flatten(document, schema) if name) if schema is not None else []
                statuses[str(status)] = tuple(dict.fromkeys(known))
            found.append(DocumentedOperation(path, method, f"{method.upper()} {path}", tuple(statuses.items())))
    return tuple(found)


def analyse_pact(comparator: Comparator, content: dict[str, Any], consumer: str) -> tuple[InteractionUse, ...]:
    """Each HTTP interaction of the pact routed and compared with the comparator's document."""
    errors = {_index(r.mock.location) for r in comparator.compare(content, consumer) if r.is_error}
    found = []
    for interaction in http_interactions(content, consumer):
        route = comparator.router.find(interaction.method, _slashed(interaction.path))
        found.append(
            InteractionUse(
                description=interaction.description or "",
                method=interaction.method,
                path=interaction.path,
                status=interaction.status,
                operation=(route.operation.path, route.operation.method) if route else None,
                incompatible=interaction.index in errors,
                reads=tuple(read_paths(interaction.response_body)),
            )
        )
    return tuple(found)


def provider_coverage(
    provider: str, document: dict[str, Any], pacts: Sequence[PactUse], fuzzed: Collection[str] | None = None
) -> dict[str, Any]:
    """The coverage of one provider's document; `fuzzed` names the operations a fuzz run reached
    (`GET /internal/users/{userId}`), None when no fuzz run is known."""
    comparator = comparator_for(document)
    operations = documented_operations(document)
    analysed = [
        AnalysedPact(
            pact.consumer,
            pact.version,
            analyse_pact(comparator, pact.content, pact.consumer),
            pact.verified_by_provider,
        )
        for pact in pacts
    ]
    return coverage_map(provider, operations, analysed, fuzzed)


def coverage_map(
    provider: str,
    documented: Sequence[DocumentedOperation],
    pacts: Sequence[AnalysedPact],
    fuzzed: Collection[str] | None = None,
) -> dict[str, Any]:
    """The coverage of one provider's operations by pacts already analysed against its document
    (what `provider_coverage` answers; the broker keeps the analyses between requests)."""
    operations: dict[tuple[str, str], dict[str, Any]] = {}
    for documented_operation in documented:
        statuses: dict[str, dict[str, Any]] = {}
        for status, known in documented_operation.statuses:
            statuses[status] = {
                "status": status,
                "interactions": [],
                "fields": {name: {"field": name, "readBy": []} for name in known},
            }
        operations[(documented_operation.path, documented_operation.method)] = {
            "operation": documented_operation.label,
            "fuzzed": None if fuzzed is None else documented_operation.label in fuzzed,
            "statuses": statuses,
        }
    unrouted: list[dict[str, Any]] = []
    statuses_reached: dict[tuple[tuple[str, str] | None, int], dict[str, Any] | None] = {}
    reads_counted: set[tuple[int, str, tuple[str, ...]]] = set()  # (status, consumer, reads) already marked
    for pact in pacts:
        for interaction in pact.interactions:
            verified = pact.verified_by_provider or (
                INCOMPATIBLE_BY_COMPARISON if interaction.incompatible else VERIFIED_BY_COMPARISON
            )
            use = {
                "consumer": pact.consumer,
                "version": pact.version,
                "interaction": interaction.description,
                "verified": verified,
            }
            reached = (interaction.operation, interaction.status)
            if reached not in statuses_reached:
                operation = operations.get(interaction.operation) if interaction.operation else None
                statuses_reached[reached] = _documented_status(operation, interaction.status) if operation else None
            status = statuses_reached[reached]
            if status is None:
                unrouted.append(
                    {**use, "request": f"{interaction.method} {interaction.path}", "status": interaction.status}
                )
                continue
            status["interactions"].append(use)
            counted = (id(status), pact.consumer, interaction.reads)
            if counted in reads_counted:
                continue  # the same consumer reading the same fields of the same response again
            reads_counted.add(counted)
            for name in interaction.reads:
                found = status["fields"].get(name)
                if found is not None and pact.consumer not in found["readBy"]:
                    found["readBy"].append(pact.consumer)
    listed = []
    unused_operations: list[str] = []
    unused_statuses: list[str] = []
    unread_fields: list[str] = []
    for operation in operations.values():
        listed_statuses: list[dict[str, Any]] = []
        for status in operation["statuses"].values():
            status["used"] = bool(status["interactions"])
            status["fields"] = list(status["fields"].values())
            listed_statuses.append(status)
            if not status["used"]:
                unused_statuses.append(f"{operation['operation']} {status['status']}")
            elif status["status"].startswith("2"):
                unread_fields += [
                    f"{operation['operation']} {status['status']}: {item['field']}"
                    for item in status["fields"]
                    if not item["readBy"]
                ]
        operation["statuses"] = listed_statuses
        operation["used"] = any(status["used"] for status in listed_statuses)
        if not operation["used"]:
            unused_operations.append(operation["operation"])
        listed.append(operation)
    return {
        "provider": provider,
        "consumers": sorted({pact.consumer for pact in pacts}),
        "operations": listed,
        "unused": {"operations": unused_operations, "statuses": unused_statuses, "fields": unread_fields},
        "outsideTheDocument": unrouted,
    }


def _documented_status(operation: dict[str, Any], status: int) -> dict[str, Any] | None:
    statuses = operation["statuses"]
    return statuses.get(str(status)) or statuses.get(f"{str(status)[0]}XX") or statuses.get("default")


def _index(location: str) -> int:
    start = location.find("[", location.find("interactions"))
    end = location.find("]", start)
    try:
        return int(location[start + 1 : end])
    except ValueError:
        return -1


def _slashed(path: str) -> str:
    return path if path.startswith("/") else "/" + path


def read_paths(body: Any, prefix: str = "") -> list[str]:
    """The field paths of a response body (`sessions[].status`): what the consumer reads."""
    found: list[str] = []
    if isinstance(body, dict):
        for key, value in body.items():
            path = f"{prefix}.{key}" if prefix else key
            found.append(path)
            found += read_paths(value, path)
    elif isinstance(body, list):
        for item in body:
            found += [path for path in read_paths(item, prefix + "[]") if path not in found]
    return found
