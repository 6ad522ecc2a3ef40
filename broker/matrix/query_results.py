"""The answer to a matrix query: rows, and the deployment verdict with its counts and reasons.

The verdict follows the official broker's `DeploymentStatusSummary`: it is computed over the rows
the answer shows (after `latestby`, the `success` filter and the `limit`), split into considered
and ignored rows. Reasons list the warnings first, then either the errors or the success.
Ignored rows add no reason of their own; they only stop counting against the verdict.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from broker.matrix import reasons
from broker.matrix.parse_query import MatrixQuery
from broker.matrix.repository import MatrixRow
from broker.matrix.selector_resolver import IntegrationToCheck, Resolution
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


class _ReasonSelectors:
    """Which selector a reason names for a row's or an integration's pacticipant.

    The one selector for that pacticipant if there is exactly one; else the one for the row's
    version; else a stand-in built from the first considered row (or integration) involving the
    pacticipant, as the official broker's "dummy selectors" are.
    """

    def __init__(
        self, resolution: Resolution, considered: Sequence[MatrixRow], integrations: Sequence[IntegrationToCheck]
    ) -> None:
        self.selectors = resolution.all_selectors
        stand_ins: list[ResolvedSelector] = []
        for row in considered:
            stand_ins.append(
                ResolvedSelector.stand_in(
                    row.consumer_id, row.consumer_name, row.consumer_version_id, row.consumer_version_number
                )
            )
            stand_ins.append(
                ResolvedSelector.stand_in(
                    row.provider_id, row.provider_name, row.provider_version_id, row.provider_version_number
                )
            )
        for integration in integrations:
            stand_ins.append(ResolvedSelector.stand_in(integration.consumer_id, integration.consumer_name, None, None))
            stand_ins.append(ResolvedSelector.stand_in(integration.provider_id, integration.provider_name, None, None))
        self.stand_ins: dict[str, ResolvedSelector] = {}
        for stand_in in stand_ins:
            self.stand_ins.setdefault(stand_in.pacticipant_name, stand_in)

    def selector_for(self, name: str, version_number: str | None) -> ResolvedSelector:
        found = [s for s in self.selectors if s.pacticipant_name == name]
        if len(found) == 1:
            return found[0]
        if version_number is not None:
            for selector in found:
                if selector.version_number == version_number:
                    return selector
        return self.stand_ins[name]

    def for_row(self, row: MatrixRow) -> tuple[ResolvedSelector, ResolvedSelector]:
        return (
            self.selector_for(row.consumer_name, row.consumer_version_number),
            self.selector_for(row.provider_name, row.provider_version_number),
        )

    def for_integration(self, integration: IntegrationToCheck) -> tuple[ResolvedSelector, ResolvedSelector]:
        return self.selector_for(integration.consumer_name, None), self.selector_for(integration.provider_name, None)


def _failure(row: MatrixRow, selectors: _ReasonSelectors) -> reasons.Reason:
    if row.contract is not None:
        return reasons.CrossContractComparisonFailed(*selectors.for_row(row), row.contract)
    return reasons.VerificationFailed(*selectors.for_row(row))


def _warnings(query: MatrixQuery, resolution: Resolution) -> list[reasons.Reason]:
    warnings: list[reasons.Reason] = [
        reasons.IgnoreSelectorDoesNotExist(selector)
        for selector in resolution.ignore
        if selector.pacticipant_or_version_missing
    ]
    if len(resolution.specified) == 1 and not (query.tag or query.environment or query.main_branch):
        warnings.append(reasons.NoEnvironmentSpecified())
    # A query naming only pacticipants browses the matrix; one asking about versions should give
    # at least one version number, or the answer may change under it.
    asks_about_versions = any(not s.only_pacticipant_name for s in resolution.specified)
    if asks_about_versions and not any(s.version_number_given for s in resolution.specified):
        warnings.append(reasons.SelectorWithoutPacticipantVersionNumberSpecified())
    return warnings


def summarise(
    query: MatrixQuery, resolution: Resolution, considered: Sequence[MatrixRow], ignored: Sequence[MatrixRow]
) -> Summary:
    integrations_with_rows = {(row.consumer_id, row.provider_id) for row in (*considered, *ignored)}
    required_missing = [
        integration
        for integration in resolution.integrations
        if integration.required and (integration.consumer_id, integration.provider_id) not in integrations_with_rows
    ]
    missing_specified = [s for s in resolution.specified if s.specified_version_missing and not s.ignore]

    if missing_specified:
        deployable: bool | None = False
    elif any(row.success is None for row in considered) or required_missing:
        deployable = None
    else:
        deployable = all(row.success for row in considered)

    selectors = _ReasonSelectors(resolution, considered, resolution.integrations)
    errors: list[reasons.Reason] = [reasons.SpecifiedVersionDoesNotExist(s) for s in missing_specified]
    if not errors:
        errors += [
            reasons.PactNotVerifiedByRequiredProviderVersion(*selectors.for_integration(integration))
            for integration in required_missing
        ]
        errors += [_failure(row, selectors) for row in considered if row.success is False]
        errors += [
            reasons.PactNotEverVerifiedByProvider(*selectors.for_row(row)) for row in considered if row.success is None
        ]
    errors = list(dict.fromkeys(errors))

    verdict: list[reasons.Reason] = errors
    if not errors and all(row.success for row in considered) and not required_missing:
        verdict = [reasons.Successful() if considered else reasons.NoDependenciesMissing()]
    return Summary(
        deployable=deployable,
        success=sum(1 for row in considered if row.success is True),
        failed=sum(1 for row in considered if row.success is False),
        unknown=sum(1 for row in considered if row.success is None) + len(required_missing),
        ignored=len(ignored) if resolution.ignore else None,
        reasons=[*_warnings(query, resolution), *verdict],
    )
