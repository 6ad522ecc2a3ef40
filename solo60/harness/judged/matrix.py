"""can-i-deploy: the broker's matrix for a set of pacticipant versions, asked as the official CLI asks it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from solo60.harness.broker_access import BrokerClient, segment


@dataclass(frozen=True)
class Selector:
    """One pacticipant version in a can-i-deploy question."""

    pacticipant: str
    version: str | None = None
    latest: bool = False
    branch: str | None = None


@dataclass(frozen=True)
class MatrixRow:
    consumer: str
    consumer_version: str
    provider: str
    provider_version: str | None
    success: bool | None
    verification_url: str | None

    @property
    def pair(self) -> str:
        return f"{self.consumer} -> {self.provider}"


@dataclass(frozen=True)
class Notice:
    """One of the broker's reasons for its verdict: `success`, `error`, `warning` or `info`, and its text."""

    type: str
    text: str


@dataclass
class Verdict:
    """The broker's can-i-deploy answer: yes, no, or unknown (treated as no), and why."""

    deployable: bool | None
    reason: str
    rows: list[MatrixRow] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def yes(self) -> bool:
        return self.deployable is True


def can_i_deploy(
    client: BrokerClient,
    selectors: Sequence[Selector],
    *,
    to_environment: str | None = None,
    to_tag: str | None = None,
    main_branch: bool = False,
    ignore: Iterable[str] = (),
) -> Verdict:
    """`GET /matrix` with the query the official CLI builds for the same question."""
    query: list[tuple[str, str]] = []
    for selector in selectors:
        query.append(("q[][pacticipant]", selector.pacticipant))
        if selector.version:
            query.append(("q[][version]", selector.version))
        if selector.latest:
            query.append(("q[][latest]", "true"))
        if selector.branch:
            query.append(("q[][branch]", selector.branch))
    for pacticipant in ignore:
        query.append(("ignore[][pacticipant]", pacticipant))
    if to_environment:
        query += [("latestby", "cvpv"), ("environment", to_environment)]
    elif to_tag:
        query += [("latestby", "cvp"), ("latest", "true"), ("tag", to_tag)]
    elif len(selectors) == 1:
        query += [("latestby", "cvp"), ("latest", "true")]
    else:
        query.append(("latestby", "cvpv"))
    if main_branch:
        query.append(("mainBranch", "true"))
    # Order matters to the broker's Rack-style parser and httpx would group repeated keys:
    # write the query as the official CLI does, brackets raw and values percent-encoded.
    answer = client.get("/matrix?" + "&".join(f"{key}={segment(value)}" for key, value in query))
    summary = answer.get("summary", {})
    return Verdict(
        deployable=summary.get("deployable"),
        reason=str(summary.get("reason", "")),
        rows=[_row(row) for row in answer.get("matrix", [])],
        notices=[
            Notice(str(notice.get("type", "info")), str(notice.get("text", "")))
            for notice in answer.get("notices", [])
            if isinstance(notice, dict)
        ],
        counts={key: summary[key] for key in ("success", "failed", "unknown", "ignored") if key in summary},
    )


def _row(row: dict[str, Any]) -> MatrixRow:
    provider_version = (row.get("provider") or {}).get("version") or {}
    verification = row.get("verificationResult") or {}
    return MatrixRow(
        consumer=row["consumer"]["name"],
        consumer_version=row["consumer"]["version"]["number"],
        provider=row["provider"]["name"],
        provider_version=provider_version.get("number"),
        success=verification.get("success") if verification else None,
        verification_url=(verification.get("_links", {}).get("self") or {}).get("href") if verification else None,
    )
