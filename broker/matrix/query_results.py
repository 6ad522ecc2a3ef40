"""The answer to a matrix query: rows, and the deployment verdict with its counts and reasons."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from broker.matrix import reasons
from broker.matrix.parse_query import MatrixQuery
from broker.matrix.repository import MatrixRow
from broker.matrix.selector_resolver import Resolution
from broker.matrix.selectors import ResolvedSelector
from broker.versions.models import VersionLabels


@dataclass(frozen=True)
class ConsideredRow:
    row: MatrixRow
    ignored: bool


@dataclass(frozen=True)
class Summary:
    deployable: bool | None
    success: int
    failed: int
    unknown: int
    ignored: int | None
    reasons: list[reasons.Reason]


@dataclass
class QueryResults:
    query: MatrixQuery
    resolution: Resolution
    rows: list[ConsideredRow]
    summary: Summary
    version_labels: dict[int, VersionLabels] = field(default_factory=dict)
    version_environments: dict[int, list[str]] = field(default_factory=dict)


def _selector_for(resolution: Resolution, name: str, version_id: int | None) -> ResolvedSelector:
    candidates = [s for s in resolution.all_selectors if s.pacticipant_name == name]
    for selector in candidates:
        if version_id is not None and selector.version_id == version_id:
            return selector
    if candidates and version_id is None:
        return candidates[0]
    if candidates and len(candidates) == 1 and not candidates[0].one_of_many and candidates[0].version_id is None:
        return candidates[0]
    return ResolvedSelector(
        None if not candidates else candidates[0].pacticipant_id, name, version_id, None, True, False
    )


def _row_selectors(resolution: Resolution, row: MatrixRow) -> tuple[ResolvedSelector, ResolvedSelector]:
    consumer = _selector_for(resolution, row.consumer_name, row.consumer_version_id)
    if consumer.version_id != row.consumer_version_id:
        consumer = ResolvedSelector(
            row.consumer_id, row.consumer_name, row.consumer_version_id, row.consumer_version_number, True, False
        )
    provider = _selector_for(resolution, row.provider_name, row.provider_version_id)
    return consumer, provider


def summarise(query: MatrixQuery, resolution: Resolution, rows: Sequence[ConsideredRow]) -> Summary:
    considered = [r.row for r in rows if not r.ignored]
    ignored = [r.row for r in rows if r.ignored]
    integrations_with_rows = {(r.row.consumer_id, r.row.provider_id) for r in rows}
    required_missing = [
        integration
        for integration in resolution.integrations
        if integration.required and (integration.consumer_id, integration.provider_id) not in integrations_with_rows
    ]
    missing_specified = [s for s in resolution.specified if s.specified_version_missing]
    considered_missing = [s for s in missing_specified if not s.ignore]

    if considered_missing:
        deployable: bool | None = False
    elif any(row.success is None for row in considered) or required_missing:
        deployable = None
    else:
        deployable = all(row.success for row in considered)

    errors: list[reasons.Reason] = []
    infos: list[reasons.Reason] = []
    for selector in missing_specified:
        reason = reasons.SpecifiedVersionDoesNotExist(selector)
        (infos if selector.ignore else errors).append(reasons.Ignored(reason) if selector.ignore else reason)
    if not errors:
        for integration in required_missing:
            errors.append(
                reasons.PactNotVerifiedByRequiredProviderVersion(
                    _selector_for(resolution, integration.consumer_name, None),
                    _selector_for(resolution, integration.provider_name, None),
                )
            )
        for row in considered:
            if row.success is False:
                errors.append(reasons.VerificationFailed(*_row_selectors(resolution, row)))
        for row in considered:
            if row.success is None:
                errors.append(reasons.PactNotEverVerifiedByProvider(*_row_selectors(resolution, row)))
        for row in ignored:
            if row.success is False:
                infos.append(reasons.Ignored(reasons.VerificationFailed(*_row_selectors(resolution, row))))
            elif row.success is None:
                infos.append(reasons.Ignored(reasons.PactNotEverVerifiedByProvider(*_row_selectors(resolution, row))))

    warnings: list[reasons.Reason] = [
        reasons.IgnoreSelectorDoesNotExist(selector)
        for selector in resolution.ignore
        if selector.pacticipant_or_version_missing
    ]
    if len(query.selectors) == 1 and not (query.tag or query.environment or query.main_branch):
        warnings.append(reasons.NoEnvironmentSpecified())
    if any(selector.version_number is None for selector in query.selectors):
        warnings.append(reasons.SelectorWithoutPacticipantVersionNumberSpecified())

    if errors:
        verdict: list[reasons.Reason] = errors
    elif deployable:
        verdict = [reasons.Successful() if considered else reasons.NoDependenciesMissing()]
    else:
        verdict = []
    all_reasons = list(dict.fromkeys([*verdict, *infos, *warnings]))
    return Summary(
        deployable=deployable,
        success=sum(1 for row in considered if row.success is True),
        failed=sum(1 for row in considered if row.success is False),
        unknown=sum(1 for row in considered if row.success is None) + len(required_missing),
        ignored=len(ignored) if ignored or resolution.ignore else None,
        reasons=all_reasons,
    )
