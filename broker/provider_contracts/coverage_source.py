"""The coverage map from what the broker holds: each provider's contract and the pacts that matter.

For every provider that published a contract: its newest contract from its main branch (else its
newest), the pacts of consumer versions that are the latest of a branch or deployed or released
(the pacts a contract is judged against), and for each pact whether the provider verified it
(its latest verification result) or, failing that, what comparing it with the contract says.

Per request only the queries deciding which contract and pacts matter, and their latest
verifications, run; parsing a contract and comparing a pact with it depend on their contents
alone and are kept by SHA between requests (`coverage_memo`), so a pact content or contract
is read and compared once per process, not on every request. The assembled map of a provider is
kept too, by its contract and a digest of the rows those queries returned (every input it has), so
a request whose rows did not change since the last one reuses the map as it was. On PostgreSQL a
request first asks only for a digest of the rows' ids, and reads the rows when it is new.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from broker.pacticipants import repository as pacticipants_repository
from broker.pacticipants.models import Pacticipant
from broker.pacts import repository as pacts_repository
from broker.provider_contracts import coverage_memo, repository
from broker.provider_contracts.comparison import ComparisonError, document_from_text
from broker.provider_contracts.coverage import (
    AnalysedPact,
    InteractionUse,
    analyse_pact,
    comparator_for,
    coverage_map,
    documented_operations,
)
from broker.provider_contracts.coverage_memo import PreparedContract
from broker.provider_contracts.tables import provider_contract_contents, provider_contracts
from broker.versions.tables import branch_versions, branches, versions

SOURCE = "the provider contracts and pacts in this broker"


def broker_coverage(connection: Connection) -> dict[str, Any]:
    return coverage_answer(provider_maps(connection))


def coverage_answer(maps: list[tuple[Hashable, dict[str, Any]]]) -> dict[str, Any]:
    """The `/coverage` resource's body from the providers' maps (`provider_maps`)."""
    return {"source": SOURCE, "fuzzReport": None, "providers": [found for _, found in maps]}


def provider_maps(connection: Connection) -> list[tuple[Hashable, dict[str, Any]]]:
    """Each provider's coverage map (by provider name), with the key it is kept by: everything
    it was assembled from (`coverage_memo.maps`). The maps are shared between requests: a caller
    reads them, or copies what it changes."""
    everyone = pacticipants_repository.list_all(connection)
    with_contracts = repository.providers_with_contracts(connection, [item.id for item in everyone])
    # the rows' consumers and verifiers by name; the creation times tell a database emptied and
    # filled again (its ids counted from 1 again) from the one a kept map was built from
    names = tuple(sorted((item.id, item.name, item.created_at) for item in everyone))
    providers = []
    for provider in sorted((item for item in everyone if item.id in with_contracts), key=lambda item: item.name):
        contract = _main_branch_contract(connection, provider.id, provider.main_branch)
        if contract is None:
            continue
        prepared = coverage_memo.remembered(
            coverage_memo.documents, contract.sha, partial(_prepared, connection, provider.name, contract.content_id)
        )
        if prepared.comparator is None:
            continue  # a stored contract that is not an OpenAPI document has no operations to map
        providers.append(_provider_map(connection, provider, contract, prepared, names))
    return providers


def _provider_map(
    connection: Connection, provider: Pacticipant, contract: Any, prepared: PreparedContract, names: Hashable
) -> tuple[Hashable, dict[str, Any]]:
    """The provider's kept map when the digest of its rows and the pacticipants' names are those it
    was built from. On PostgreSQL the digest comes first, from a probe of ids at a third of the rows'
    cost, and the rows are read only when it is new; the map is then kept by the digest of those
    rows, not the probe's, so a change committed between the two statements, which is in the rows,
    is in their key too."""

    def key_of(digest: Hashable) -> Hashable:
        return (provider.name, contract.version_number, contract.sha, names, digest)

    probe = repository.pact_uses_digest(connection, provider.id)
    if probe is None:  # SQLite: the rows are the key
        rows = repository.pact_uses_that_matter(connection, provider.id)
        key = key_of(coverage_memo.rows_digest(rows))
        found = coverage_memo.remembered(
            coverage_memo.maps, key, partial(_assembled, connection, provider.name, contract, prepared, rows)
        )
        return key, found
    key = key_of(probe)
    found = coverage_memo.maps.get(key)
    if found is None:
        rows = repository.pact_uses_that_matter(connection, provider.id)
        key = key_of(repository.uses_digest(rows))
        found = _assembled(connection, provider.name, contract, prepared, rows)
        coverage_memo.maps.put(key, found)
    return key, found


def _assembled(
    connection: Connection, provider_name: str, contract: Any, prepared: PreparedContract, rows: list[Any]
) -> dict[str, Any]:
    found = coverage_map(
        provider_name, prepared.operations, _pacts_that_matter(connection, contract.sha, prepared, rows)
    )
    found["contract"] = {"version": contract.version_number, "sha": contract.sha}
    return found


def _main_branch_contract(connection: Connection, provider_id: int, main_branch: str | None) -> Any:
    """The contract's version number, SHA and content id (not its text, which is read only when
    its SHA is new to this process)."""
    newest = sa.select(sa.func.max(provider_contracts.c.provider_version_id)).where(
        provider_contracts.c.provider_id == provider_id
    )
    on_main = (
        newest.join(branch_versions, branch_versions.c.version_id == provider_contracts.c.provider_version_id)
        .join(branches, branches.c.id == branch_versions.c.branch_id)
        .where(branches.c.name == (main_branch or "main"))
    )
    version_id = connection.execute(on_main).scalar() or connection.execute(newest).scalar()
    if version_id is None:
        return None
    return connection.execute(
        sa.select(
            versions.c.number.label("version_number"),
            provider_contract_contents.c.sha,
            provider_contracts.c.content_id,
        )
        .join(versions, versions.c.id == provider_contracts.c.provider_version_id)
        .join(provider_contract_contents, provider_contract_contents.c.id == provider_contracts.c.content_id)
        .where(provider_contracts.c.provider_version_id == version_id)
    ).first()


def _prepared(connection: Connection, provider_name: str, content_id: int) -> PreparedContract:
    text, _ = repository.contract_text(connection, content_id)
    try:
        document = document_from_text(text, f"{provider_name}'s contract").content
    except ComparisonError:
        return PreparedContract(None, (), threading.Lock())
    return PreparedContract(comparator_for(document), documented_operations(document), threading.Lock())


def _pacts_that_matter(
    connection: Connection, contract_sha: str, prepared: PreparedContract, rows: list[Any]
) -> list[AnalysedPact]:
    by_pact_version: dict[int, list[Any]] = {}
    for row in rows:
        by_pact_version.setdefault(row.pact_version_id, []).append(row)
    uses = []
    for pact_version_id, rows in sorted(by_pact_version.items()):
        newest = rows[0]  # every row of a pact version carries its content and newest verification
        verified = f"verified by {newest.verifier_name} {newest.verifier_version_number}" if newest.verified else None
        numbers = ", ".join(sorted({row.consumer_version_number for row in rows}))
        consumer = newest.consumer_name
        interactions = coverage_memo.remembered(
            coverage_memo.analyses,
            (contract_sha, newest.sha, consumer),
            partial(_analysed, connection, prepared, pact_version_id, consumer),
        )
        uses.append(AnalysedPact(consumer, numbers, interactions, verified))
    return uses


def _analysed(
    connection: Connection, prepared: PreparedContract, pact_version_id: int, consumer: str
) -> tuple[InteractionUse, ...]:
    content = pacts_repository.document_of(connection, pact_version_id)
    assert prepared.comparator is not None
    with prepared.lock:
        return analyse_pact(prepared.comparator, content, consumer)
