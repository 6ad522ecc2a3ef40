"""The coverage map for people, on the API's own `/coverage`: per provider that published a
contract, each documented operation and response status with the consumers' interactions that
reach it (and whether the provider verified them or only the comparison vouches for them), the
response fields nobody reads, and the interactions the document does not describe.

The data is exactly the API's (`broker_coverage`); this module only arranges it as tables. The
uses of a response are grouped by consumer and verification state, each group naming its last few
consumer versions and interactions (those of the newest pact contents) and counting the rest: at a
year of history a response has thousands of uses (every branch head of every consumer), which
nobody reads one by one and which took most of the page's time to render. A provider's tables
are kept with its map (`coverage_memo.arranged`, by the map's key), as they depend on it alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from broker.api.requests import BrokerRequest
from broker.api.responses import HalResponse
from broker.api.router import Router
from broker.provider_contracts import coverage_memo
from broker.provider_contracts.coverage import INCOMPATIBLE_BY_COMPARISON, VERIFIED_BY_COMPARISON
from broker.provider_contracts.coverage_source import SOURCE, provider_maps
from broker.ui import status, urls
from broker.ui.rendering import page
from broker.ui.status import Shown

SHOWN_PER_GROUP = 5  # versions and interactions per group of uses: the last in the API's order, the rest counted


@dataclass(frozen=True)
class Use:
    """A consumer's interactions reaching an operation's response (or, outside the contract, sending
    one request and getting one status) with one verification state, across its versions."""

    consumer: str
    versions: list[str]  # the group's last SHOWN_PER_GROUP versions in the API's order (newest contents last)
    more_versions: int  # the group's other versions (of older contents), counted, not linked
    interactions: list[str]  # the last SHOWN_PER_GROUP distinct interaction descriptions, likewise
    more_interactions: int
    shown: Shown
    detail: str
    request: str = ""
    status: str = ""


@dataclass(frozen=True)
class StatusRow:
    operation: str
    status: str
    shown: Shown
    uses: list[Use]
    unread: list[str]
    fuzzed: bool | None


@dataclass(frozen=True)
class ProviderCoverage:
    provider: str
    contract_version: str
    consumers: list[str]
    rows: list[StatusRow]
    used_operations: int
    operations: int
    outside: list[Use]
    anchor: str


def _verification(verified: str) -> tuple[Shown, str]:
    if verified == VERIFIED_BY_COMPARISON:
        return status.COVERAGE_USE["compatible"], ""
    if verified == INCOMPATIBLE_BY_COMPARISON:
        return status.COVERAGE_USE["incompatible"], ""
    return status.COVERAGE_USE["verified"], verified.removeprefix("verified by ").strip()  # "<provider> <version>"


def _uses(items: list[dict[str, Any]]) -> list[Use]:
    """The uses grouped by consumer, request and status (for those the contract does not
    describe) and verification state, in the order each group first appears."""
    groups: dict[tuple[str, ...], tuple[Shown, dict[str, None], dict[str, None], dict[str, None]]] = {}
    for item in items:
        shown, detail = _verification(str(item.get("verified") or ""))
        key = (str(item.get("consumer", "")), str(item.get("request", "")), str(item.get("status", "")), shown.key)
        _, versions, interactions, details = groups.setdefault(key, (shown, {}, {}, {}))
        for number in str(item.get("version", "")).split(", "):
            if number:
                versions[number] = None
        interactions[str(item.get("interaction", ""))] = None
        if detail:
            details[detail] = None
    found = []
    for (consumer, request, status_code, _), (shown, versions, interactions, details) in groups.items():
        numbers, descriptions, verifiers = list(versions), list(interactions), list(details)
        found.append(
            Use(
                consumer=consumer,
                versions=numbers[-SHOWN_PER_GROUP:],
                more_versions=max(0, len(numbers) - SHOWN_PER_GROUP),
                interactions=descriptions[-SHOWN_PER_GROUP:],
                more_interactions=max(0, len(descriptions) - SHOWN_PER_GROUP),
                shown=shown,
                detail=_verifiers(verifiers),
                request=request,
                status=status_code,
            )
        )
    return found


def _verifiers(found: list[str]) -> str:
    """Who verified (`provider 1.2.3`): the last one, and how many others."""
    if not found:
        return ""
    return found[-1] + (f" and {len(found) - 1} more" if len(found) > 1 else "")


def _provider(found: dict[str, Any], number: int) -> ProviderCoverage:
    rows = []
    for operation in found.get("operations", []):
        for documented in operation.get("statuses", []):
            used = bool(documented.get("used"))
            unread = (
                [field["field"] for field in documented.get("fields", []) if not field.get("readBy")]
                if used and str(documented.get("status", "")).startswith("2")
                else []
            )
            rows.append(
                StatusRow(
                    operation=operation["operation"],
                    status=str(documented.get("status", "")),
                    shown=status.COVERAGE[used],
                    uses=_uses(documented.get("interactions", [])),
                    unread=unread,
                    fuzzed=operation.get("fuzzed"),
                )
            )
    operations = found.get("operations", [])
    return ProviderCoverage(
        provider=found["provider"],
        contract_version=(found.get("contract") or {}).get("version", ""),
        consumers=list(found.get("consumers", [])),
        rows=rows,
        used_operations=sum(1 for operation in operations if operation.get("used")),
        operations=len(operations),
        outside=_uses(found.get("outsideTheDocument", [])),
        anchor=f"provider-{number}",
    )


def show_coverage(request: BrokerRequest) -> HalResponse:
    providers = [
        coverage_memo.remembered(coverage_memo.arranged, ("page", key, number), partial(_provider, found, number))
        for number, (key, found) in enumerate(provider_maps(request.connection), start=1)
    ]
    return page(
        request,
        "coverage.html",
        title="Contract coverage",
        active="Coverage",
        providers=providers,
        source=SOURCE,
        api_path=urls.COVERAGE,
    )


def register(router: Router) -> None:
    @router.route("GET", urls.COVERAGE, summary="The contract coverage map, for people", tag="UI")
    def coverage_page(request: BrokerRequest) -> HalResponse:
        return show_coverage(request)
