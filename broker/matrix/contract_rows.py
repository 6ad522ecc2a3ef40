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
probe per query. Pairs never compared are compared here (without storing: matrix requests
only read) when the query names both sides' versions, at most `MAX_COMPARISONS_PER_QUERY`
of them; otherwise only comparisons already stored count (publishes store those of the
versions that matter). A stored comparison made by an older comparator is made again here when
the budget allows.
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


def providers_with_contracts(connection: Connection, provider_ids: Collection[int]) -> set[int]:
    return contracts_repository.providers_with_contracts(connection, provider_ids)


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
            result = cross_contracts.compare(connection, *key)
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
    rows: list[MatrixRow],
    *,
    consumer_id: int,
    provider_id: int,
    names: Mapping[int, str],
    consumer_version_ids: Collection[int] | None,
    provider_version_ids: Collection[int] | None,
    consumer_selected: bool,
    every_row: bool,
    limit: int,
    budget: ComparisonBudget,
) -> list[MatrixRow]:
    """The integration's rows with the contract rows added (and the unverified row of a pact
    dropped where a contract now judges it).

    `consumer_selected`: a selector names the consumer, so `rows` already hold each of its
    pacts (verified or not); otherwise the pacts a contract vouches for are fetched here.
    """
    verified = {(row.pact_version_id, row.provider_version_id) for row in rows if row.verification_id is not None}
    evidence = repository.contract_evidence(
        connection,
        consumer_id=consumer_id,
        provider_id=provider_id,
        pact_version_ids={row.pact_version_id for row in rows} if consumer_selected else None,
        provider_version_ids=provider_version_ids,
        uncompared_too=consumer_version_ids is not None and provider_version_ids is not None,
        limit=limit,
    )
    evidence = [item for item in evidence if (item.pact_version_id, item.provider_version_id) not in verified]
    if not evidence:
        return rows
    if consumer_selected:
        templates = rows
    else:
        templates = repository.publications_of_pact_versions(
            connection,
            consumer_id=consumer_id,
            provider_id=provider_id,
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
