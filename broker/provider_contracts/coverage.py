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


def provider_coverage(
    provider: str, document: dict[str, Any], pacts: Sequence[PactUse], fuzzed: Collection[str] | None = None
) -> dict[str, Any]:
    """The coverage of one provider's document; `fuzzed` names the operations a fuzz run reached
    (`GET /internal/users/{userId}`), None when no fuzz run is known."""
    comparator = Comparator(Document(document, str(document.get("openapi", "3.1"))[:3]))
    operations: dict[tuple[str, str], dict[str, Any]] = {}
    for path, item in (document.get("paths") or {}).items():
        for method in METHODS:
            definition = item.get(method) if isinstance(item, dict) else None
            if not isinstance(definition, dict):
                continue
            label = f"{method.upper()} {path}"
            statuses: dict[str, dict[str, Any]] = {}
            for status, response in (definition.get("responses") or {}).items():
                schema = body_schema(document, response)
                known = sorted(name for name in flatten(document, schema) if name) if schema is not None else []
                statuses[str(status)] = {"status": str(status), "interactions": [], "fields": {}}
                for name in known:
                    statuses[str(status)]["fields"][name] = {"field": name, "readBy": []}
            operations[(path, method)] = {
                "operation": label,
                "fuzzed": None if fuzzed is None else label in fuzzed,
                "statuses": statuses,
            }
    unrouted: list[dict[str, Any]] = []
    for pact in pacts:
        errors = {_index(r.mock.location) for r in comparator.compare(pact.content, pact.consumer) if r.is_error}
        for interaction in http_interactions(pact.content, pact.consumer):
            route = comparator.router.find(interaction.method, _slashed(interaction.path))
            verified = pact.verified_by_provider or (
                INCOMPATIBLE_BY_COMPARISON if interaction.index in errors else VERIFIED_BY_COMPARISON
            )
            use = {
                "consumer": pact.consumer,
                "version": pact.version,
                "interaction": interaction.description or "",
                "verified": verified,
            }
            operation = operations.get((route.operation.path, route.operation.method)) if route else None
            status = _documented_status(operation, interaction.status) if operation else None
            if operation is None or status is None:
                unrouted.append(
                    {**use, "request": f"{interaction.method} {interaction.path}", "status": interaction.status}
                )
                continue
            status["interactions"].append(use)
            for name in read_paths(interaction.response_body):
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
