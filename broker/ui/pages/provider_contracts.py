"""A provider version's contract, for people: the OpenAPI document, its self-verification, and
the document compared with the consumers' pacts, each comparison with the comparator's codes.

On the API's own URLs: the contract (`.../provider-contract`) and one pact compared with it
(`.../consumer/{c}/version/{cv}/cross-contract-verification-results`, the link of a matrix row
a contract judged), which is the same page with that pact first. Pages only read: a pair never
compared is compared for the page and kept in memory by the two contents' SHAs, so the next
view reuses it (the API's reads store it). Only the newest pacts shown are read (cut in SQL).
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from broker.api.requests import BrokerRequest
from broker.api.responses import HalResponse
from broker.api.router import Router
from broker.provider_contracts import service
from broker.provider_contracts.comparison import DocumentError
from broker.provider_contracts.comparison.documents import parse_text
from broker.provider_contracts.models import ProviderContract
from broker.provider_contracts.service import CrossContract
from broker.ui import status, urls
from broker.ui.rendering import page
from broker.ui.status import Shown
from broker.ui.version_labels import Labels, labels_of

BASE = "/contracts/bi-directional/provider/{provider}/version/{version}"
DOCUMENT_LINES_SHOWN = 2000
RESULT_ORDER = {"error": 0, "warning": 1}  # errors first: they are why a pact is refused


@dataclass(frozen=True)
class ResultRow:
    """One result of the comparator, as a table row."""

    shown: Shown
    code: str
    interaction: str
    state: str
    message: str
    pact_location: str
    document_location: str


@dataclass(frozen=True)
class Comparison:
    """One consumer version's pact compared with the contract."""

    consumer: str
    consumer_version: str
    labels: Labels
    compared_at: datetime
    shown: Shown
    problem: str | None
    errors: int
    results: list[ResultRow]
    anchor: str
    focused: bool


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _result_row(item: dict[str, Any]) -> ResultRow:
    mock = item.get("mockDetails") or {}
    spec = item.get("specDetails") or {}
    return ResultRow(
        shown=status.COMPARATOR_RESULT.get(_text(item.get("type")), status.COMPARATOR_RESULT["info"]),
        code=_text(item.get("code")),
        interaction=_text(mock.get("interactionDescription")),
        state=_text(mock.get("interactionState")),
        message=_text(item.get("message")),
        pact_location=_text(mock.get("location")),
        document_location=_text(spec.get("location")),
    )


def _comparisons(request: BrokerRequest, found: list[CrossContract], focus: tuple[str, str] | None) -> list[Comparison]:
    labels = labels_of(request.connection, [item.publication.consumer_version_id for item in found])
    shown = []
    for number, item in enumerate(found, start=1):
        publication, result = item.publication, item.result
        key = (publication.consumer_name, publication.consumer_version_number)
        shown.append(
            Comparison(
                consumer=publication.consumer_name,
                consumer_version=publication.consumer_version_number,
                labels=labels.get(publication.consumer_version_id, Labels()),
                compared_at=result.created_at,
                shown=status.COMPARISON[result.success],
                problem=result.problem,
                errors=sum(1 for entry in result.results if entry.get("type") == "error"),
                results=sorted(
                    (_result_row(entry) for entry in result.results if isinstance(entry, dict)),
                    key=lambda row: RESULT_ORDER.get(row.shown.key, len(RESULT_ORDER)),
                ),
                anchor=f"comparison-{number}",
                focused=key == focus,
            )
        )
    return sorted(shown, key=lambda comparison: not comparison.focused)


def _document_lines(contract: ProviderContract) -> list[str]:
    """The document as people read it: JSON indented, YAML as published."""
    text = contract.content
    with contextlib.suppress(ValueError):  # YAML is shown as written
        text = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    return text.splitlines()


def _summary(contract: ProviderContract) -> str:
    """The document's title and version, as its `info` says (it was parsed when published)."""
    try:
        document = parse_text(contract.content, "the provider contract")
    except DocumentError:
        return ""
    info = document.get("info") if isinstance(document, dict) else None
    if not isinstance(info, dict):
        return ""
    return " ".join(_text(info.get(key)) for key in ("title", "version") if info.get(key) is not None)


def show_contract(
    request: BrokerRequest, contract: ProviderContract, found: list[CrossContract], focus: tuple[str, str] | None
) -> HalResponse:
    provider, number = contract.provider_name, contract.provider_version_number
    verification = contract.self_verification
    lines = _document_lines(contract)
    return page(
        request,
        "provider_contract.html",
        title=f"Provider contract of {provider} version {number}",
        active="Pacticipants",
        breadcrumbs=[
            ("Pacticipants", urls.PACTICIPANTS),
            (provider, urls.pacticipant(provider)),
            (f"version {number} contract", None),
        ],
        contract=contract,
        provider=provider,
        provider_labels=labels_of(request.connection, [contract.provider_version_id]).get(
            contract.provider_version_id, Labels()
        ),
        document_title=_summary(contract),
        self_verification=verification,
        self_verification_shown=status.SELF_VERIFICATION[verification.success],
        comparisons=_comparisons(request, found, focus),
        focus=focus,
        document_lines=lines[:DOCUMENT_LINES_SHOWN],
        document_cut=max(0, len(lines) - DOCUMENT_LINES_SHOWN),
        api_path=urls.provider_contract(provider, number),
    )


def register(router: Router) -> None:
    @router.route("GET", f"{BASE}/provider-contract", summary="A provider contract", tag="UI")
    def provider_contract_page(request: BrokerRequest) -> HalResponse:
        provider, number = request.param("provider"), request.param("version")
        contract = service.contract_of(request.connection, provider, number)
        found = service.cross_contracts_of(request.connection, provider, number, store=False)
        return show_contract(request, contract, found, None)

    @router.route(
        "GET",
        f"{BASE}/consumer/{{consumer}}/version/{{consumerVersion}}/cross-contract-verification-results",
        summary="A pact compared with a provider contract",
        tag="UI",
    )
    def cross_contract_page(request: BrokerRequest) -> HalResponse:
        provider, number = request.param("provider"), request.param("version")
        focus = (request.param("consumer"), request.param("consumerVersion"))
        pair = service.cross_contract(request.connection, provider, number, *focus, store=False)
        found = service.cross_contracts_of(request.connection, provider, number, store=False)
        key = (pair.publication.consumer_name, pair.publication.consumer_version_number)
        others = [
            item for item in found if (item.publication.consumer_name, item.publication.consumer_version_number) != key
        ]
        return show_contract(request, pair.contract, [pair, *others], focus)
