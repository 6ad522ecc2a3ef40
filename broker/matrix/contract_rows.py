"""Matrix rows from provider contracts (bi-directional contract testing).

A pact counts as verified by a provider version when that version verified it, or when the
version's contract (its OpenAPI document) was self-verified successfully and the pact is
compatible with it. The contract's row stands where the version's verification would:
same pact, same provider version, `contract` set instead of a verification.

**Precedence.** A verification by a provider version of a pact's content wins over that
version's contract, whatever either says: the verification replayed this very pact against the
running provider, while the comparison judges the pact's examples against the document. So a
contract adds rows only where the provider version published no verification of the content,
and a failed verification is never turned green by a document (PactFlow likewise reports an
integration as failed when "a classic pact test has failed"); nor does a comparison's false
alarm block what the provider itself verified.

**Cost.** Nothing is asked for a provider that never published a contract beyond one indexed
probe per query. Pairs never compared are compared here (not stored: matrix requests only
read; the process keeps the newest few by the two contents' SHAs) when the query names both
sides' versions, at most `MAX_COMPARISONS_PER_QUERY` of them; otherwise only comparisons already
stored count (publishes store those of the versions that matter). A stored comparison made by
an older comparator is made again here when the budget allows.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace

from sqlalchemy.engine import Connection

from broker.matrix import repository
from broker.matrix.repository import ContractEvidence, MatrixRow
from broker.provider_contracts import cross_contracts
from broker.provider_contracts import repository as contracts_repository
from broker.provider_contracts.models import CrossContractResult

MAX_COMPARISONS_PER_QUERY = 50


class ComparisonBudget:
    """The comparisons one query may still make, and those it made (each pair once)."""

    def __init__(self, size: int | None = None) -> None:
        self.left = MAX_COMPARISONS_PER_QUERY if size is None else size
        self.made: dict[tuple[int, int], CrossContractResult] = {}


def _contract_row(
    connection: Connection, template: MatrixRow, evidence: ContractEvidence, budget: ComparisonBudget
) -> MatrixRow | None:
    """The row `evidence` makes for the pact of `template`, or None (a pair not compared, and no
    budget left to compare it)."""
    result = evidence.stored
    self_verified = evidence.self_verification_success is True
    stale = result is not None and result.comparator_version != cross_contracts.COMPARATOR_VERSION
    if self_verified and (result is None or stale):
        key = (evidence.pact_content_id, evidence.contract_content_id)
        if key in budget.made:
            result = budget.made[key]
        elif budget.left > 0:
            budget.left -= 1
            result = cross_contracts.compare(connection, *key, shas=evidence.shas)
            budget.made[key] = result
        elif result is None:
            return None
    verdict = cross_contracts.verdict_of(evidence.self_verification_success, result)
    return replace(
        template,
        provider_version_id=evidence.provider_version_id,
        provider_version_number=evidence.provider_version_number,
        verification_id=None,
        success=verdict.success,
        verified_at=verdict.compared_at or evidence.contract_published_at,
        contract=verdict,
    )


def add_contract_rows(
    connection: Connection,
    grouped: dict[tuple[int, int], list[MatrixRow]],
    *,
    names: Mapping[int, str],
    version_sets: Mapping[int, Collection[int] | None],
    selected: Collection[int],
    every_row: bool,
    limit: int,
    with_contracts: Collection[int] | None = None,
) -> dict[tuple[int, int], list[MatrixRow]]:
    """Each integration's rows (by (consumer id, provider id)) with its contract rows added, and
    the unverified row of a pact dropped where a contract now judges it.

    `version_sets`: the selected versions of each pacticipant (None: any version); `selected`:
    the pacticipants a selector names (a named consumer's pacts are all in its rows already,
    verified or not; for the others, the pacts a contract vouches for are fetched here);
    `with_contracts`: the providers that ever published a contract, when the caller knows it
    for every provider of `grouped` (else it is asked here).
    """
    if with_contracts is None:
        with_contracts = contracts_repository.providers_with_contracts(connection, {p for _, p in grouped})
    pairs = [pair for pair in grouped if pair[1] in with_contracts]
    if not pairs:
        return grouped
    budget = ComparisonBudget()
    every_side_named = all(version_sets.get(c) is not None and version_sets.get(p) is not None for c, p in pairs)
    if every_side_named and all(consumer in selected for consumer, _ in pairs):
        # can-i-deploy to an environment, a tag or a branch: one statement for every integration
        evidence = _by_pair(
            repository.contract_evidence(
                connection,
                pairs=pairs,
                pact_version_ids={row.pact_version_id for pair in pairs for row in grouped[pair]},
                provider_version_ids={v for _, provider in pairs for v in version_sets[provider] or []},
                uncompared_too=True,
                limit=limit,
            )
        )
    else:
        evidence = {}
        for consumer, provider in pairs:
            evidence[(consumer, provider)] = repository.contract_evidence(
                connection,
                pairs=[(consumer, provider)],
                pact_version_ids={row.pact_version_id for row in grouped[(consumer, provider)]}
                if consumer in selected
                else None,
                provider_version_ids=version_sets.get(provider),
                uncompared_too=version_sets.get(consumer) is not None and version_sets.get(provider) is not None,
                limit=limit,
            )
    merged = dict(grouped)
    for consumer, provider in pairs:
        merged[(consumer, provider)] = _merge(
            connection,
            grouped[(consumer, provider)],
            evidence.get((consumer, provider), []),
            names=names,
            consumer_version_ids=version_sets.get(consumer),
            consumer_selected=consumer in selected,
            every_row=every_row,
            limit=limit,
            budget=budget,
        )
    return merged


def _by_pair(evidence: list[ContractEvidence]) -> dict[tuple[int, int], list[ContractEvidence]]:
    grouped: dict[tuple[int, int], list[ContractEvidence]] = {}
    for item in evidence:
        grouped.setdefault((item.consumer_id, item.provider_id), []).append(item)
    return grouped


def _merge(
    connection: Connection,
    rows: list[MatrixRow],
    evidence: list[ContractEvidence],
    *,
    names: Mapping[int, str],
    consumer_version_ids: Collection[int] | None,
    consumer_selected: bool,
    every_row: bool,
    limit: int,
    budget: ComparisonBudget,
) -> list[MatrixRow]:
    """One integration's rows with the rows its contract evidence makes (a verification by the
    same provider version of the same pact content wins)."""
    verified = {(row.pact_version_id, row.provider_version_id) for row in rows if row.verification_id is not None}
    evidence = [item for item in evidence if (item.pact_version_id, item.provider_version_id) not in verified]
    if not evidence:
        return rows
    if consumer_selected:
        templates = rows
    else:
        templates = repository.publications_of_pact_versions(
            connection,
            consumer_id=evidence[0].consumer_id,
            provider_id=evidence[0].provider_id,
            names=names,
            pact_version_ids={item.pact_version_id for item in evidence},
            consumer_version_ids=consumer_version_ids,
            every_row=every_row,
            limit=limit,
        )
    by_pact_version: dict[int, list[ContractEvidence]] = {}
    for item in evidence:
        by_pact_version.setdefault(item.pact_version_id, []).append(item)
    added: list[MatrixRow] = []
    seen: set[tuple[int, int]] = set()
    for template in templates:
        revision = (template.pact_publication_id, template.revision_number)
        if revision in seen:
            continue
        seen.add(revision)
        for item in by_pact_version.get(template.pact_version_id, []):
            row = _contract_row(connection, template, item, budget)
            if row is not None:
                added.append(row)
    judged = {(row.pact_publication_id, row.revision_number) for row in added}
    kept = [
        row
        for row in rows
        if row.provider_version_id is not None or (row.pact_publication_id, row.revision_number) not in judged
    ]
    return kept + added
