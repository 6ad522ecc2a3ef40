"""Matrix answers (`broker.matrix.query_results.QueryResults`) as table rows for pages, and the
form's selector rows to and from the official `q[][...]` query parameters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from broker.matrix.parse_query import MatrixQuery
from broker.matrix.query_results import QueryResults
from broker.matrix.selectors import UnresolvedSelector
from broker.nested_query import NestedQuery, encode_objects
from broker.ui import status
from broker.ui.version_labels import Labels

KINDS = (
    ("all", "All versions", False),
    ("latest", "Latest version", False),
    ("version", "Version…", True),
    ("branch_latest", "Latest version from branch…", True),
    ("branch", "All versions from branch…", True),
    ("main_latest", "Latest version from the main branch", False),
    ("tag_latest", "Latest version with tag…", True),
    ("tag", "All versions with tag…", True),
    ("environment", "Versions in environment…", True),
)
LATEST_BY = (
    ("", "Show all rows"),
    ("cvpv", "Latest per consumer and provider version"),
    ("cvp", "Latest per consumer version and provider"),
)


@dataclass(frozen=True)
class SelectorRow:
    pacticipant: str = ""
    kind: str = "all"
    value: str = ""


@dataclass(frozen=True)
class MatrixRowView:
    consumer: str
    consumer_version: str
    consumer_labels: Labels
    pact_published_at: datetime
    provider: str
    provider_version: str | None
    provider_labels: Labels
    verified_at: datetime | None
    verification_number: int | None
    sha: str
    shown: status.Shown
    ignored: bool
    by_contract: bool = False  # judged by the provider version's contract: links to its page


def rows_of(results: QueryResults) -> list[MatrixRowView]:
    def labels(version_id: int | None) -> Labels:
        if version_id is None:
            return Labels()
        found = results.version_labels.get(version_id)
        environments = results.version_environments.get(version_id, [])
        return Labels(list(found.branches) if found else [], list(found.tags) if found else [], list(environments))

    return [
        MatrixRowView(
            consumer=row.consumer_name,
            consumer_version=row.consumer_version_number,
            consumer_labels=labels(row.consumer_version_id),
            pact_published_at=row.pact_created_at,
            provider=row.provider_name,
            provider_version=row.provider_version_number,
            provider_labels=labels(row.provider_version_id),
            verified_at=row.verified_at,
            verification_number=row.verification_id,
            sha=row.sha,
            shown=status.ROW[row.success] if row.contract is None else status.CONTRACT_ROW[row.contract.success],
            ignored=considered.ignored,
            by_contract=row.contract is not None,
        )
        for considered in results.rows
        for row in (considered.row,)
    ]


def selector_rows(query: MatrixQuery | None, minimum: int = 2) -> list[SelectorRow]:
    """The form's rows: one per selector of the query, then blank ones to add more."""
    rows = [_row_of(selector) for selector in (query.selectors if query else ())]
    rows.append(SelectorRow())
    while len(rows) < minimum:
        rows.append(SelectorRow())
    return rows


def _row_of(selector: UnresolvedSelector) -> SelectorRow:
    name = selector.pacticipant_name
    if selector.version_number:
        return SelectorRow(name, "version", selector.version_number)
    if selector.branch:
        return SelectorRow(name, "branch_latest" if selector.latest else "branch", selector.branch)
    if selector.main_branch:
        return SelectorRow(name, "main_latest")
    if selector.tag:
        return SelectorRow(name, "tag_latest" if selector.latest else "tag", selector.tag)
    if selector.environment:
        return SelectorRow(name, "environment", selector.environment)
    return SelectorRow(name, "latest" if selector.latest else "all")


def _official(row: dict[str, str]) -> dict[str, str] | None:
    name = (row.get("pacticipant") or "").strip()
    if not name:
        return None
    kind, value = row.get("kind", "all"), (row.get("value") or "").strip()
    result = {"pacticipant": name}
    extra = {
        "latest": {"latest": "true"},
        "version": {"version": value},
        "branch_latest": {"branch": value, "latest": "true"},
        "branch": {"branch": value},
        "main_latest": {"mainBranch": "true", "latest": "true"},
        "tag_latest": {"tag": value, "latest": "true"},
        "tag": {"tag": value},
        "environment": {"environment": value},
    }.get(kind, {})
    return {**result, **extra}


def is_form_submission(query: NestedQuery) -> bool:
    return any("kind" in item for item in query.objects.get("q", []))


def canonical_query(query: NestedQuery) -> str:
    """The form's rows as the official matrix query string (what the API and the CLI use)."""
    selectors = [found for item in query.objects.get("q", []) if (found := _official(item)) is not None]
    scalars = {key: query.scalars[key] for key in ("latestby", "limit") if query.scalars.get(key)}
    return encode_objects("q", selectors, scalars)


def query_string_of(query: MatrixQuery) -> str:
    """A parsed matrix query written back as the official query string."""
    selectors = []
    for selector in query.selectors:
        item = {"pacticipant": selector.pacticipant_name}
        for key, value in (
            ("version", selector.version_number),
            ("branch", selector.branch),
            ("mainBranch", "true" if selector.main_branch else None),
            ("tag", selector.tag),
            ("environment", selector.environment),
            ("latest", "true" if selector.latest else None),
        ):
            if value is not None:
                item[key] = value
        selectors.append(item)
    scalars = {"latestby": query.latestby} if query.latestby else {}
    for key, value in (
        ("latest", "true" if query.latest else None),
        ("tag", query.tag),
        ("environment", query.environment),
        ("mainBranch", "true" if query.main_branch else None),
    ):
        if value is not None:
            scalars[key] = value
    scalars["limit"] = str(query.limit)
    return encode_objects("q", selectors, scalars)
