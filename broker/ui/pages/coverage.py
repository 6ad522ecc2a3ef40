"""The coverage map for people, on the API's own `/coverage`: per provider that published a
contract, each documented operation and response status with the consumers' interactions that
reach it (and whether the provider verified them or only the comparison vouches for them), the
response fields nobody reads, and the interactions the document does not describe.

The data is exactly the API's (`broker_coverage`); this module only arranges it as tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from broker.api.requests import BrokerRequest
from broker.api.responses import HalResponse
from broker.api.router import Router
from broker.provider_contracts.coverage import INCOMPATIBLE_BY_COMPARISON, VERIFIED_BY_COMPARISON
from broker.provider_contracts.coverage_source import broker_coverage
from broker.ui import status, urls
from broker.ui.rendering import page
from broker.ui.status import Shown


@dataclass(frozen=True)
class Use:
    """One consumer interaction reaching an operation's response."""

    consumer: str
    versions: list[str]
    interaction: str
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


def _use(item: dict[str, Any]) -> Use:
    verified = str(item.get("verified") or "")
    if verified == VERIFIED_BY_COMPARISON:
        shown, detail = status.COVERAGE_USE["compatible"], ""
    elif verified == INCOMPATIBLE_BY_COMPARISON:
        shown, detail = status.COVERAGE_USE["incompatible"], ""
    else:  # "verified by <provider> <version>"
        shown, detail = status.COVERAGE_USE["verified"], verified.removeprefix("verified by ").strip()
    return Use(
        consumer=str(item.get("consumer", "")),
        versions=[number for number in str(item.get("version", "")).split(", ") if number],
        interaction=str(item.get("interaction", "")),
        shown=shown,
        detail=detail,
        request=str(item.get("request", "")),
        status=str(item.get("status", "")),
    )


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
                    uses=[_use(item) for item in documented.get("interactions", [])],
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
        outside=[_use(item) for item in found.get("outsideTheDocument", [])],
        anchor=f"provider-{number}",
    )


def show_coverage(request: BrokerRequest) -> HalResponse:
    found = broker_coverage(request.connection)
    return page(
        request,
        "coverage.html",
        title="Contract coverage",
        active="Coverage",
        providers=[_provider(item, number) for number, item in enumerate(found.get("providers", []), start=1)],
        source=found.get("source", ""),
        api_path=urls.COVERAGE,
    )


def register(router: Router) -> None:
    @router.route("GET", urls.COVERAGE, summary="The contract coverage map, for people", tag="UI")
    def coverage_page(request: BrokerRequest) -> HalResponse:
        return show_coverage(request)
