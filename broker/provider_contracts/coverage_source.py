"""The coverage map from what the broker holds: each provider's contract and the pacts that matter.

For every provider that published a contract: its newest contract from its main branch (else its
newest), the pacts of consumer versions that are the latest of a branch or deployed or released
(the pacts a contract is judged against), and for each pact whether the provider verified it
(its latest verification result) or, failing that, what comparing it with the contract says.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from broker.pacticipants import repository as pacticipants_repository
from broker.pacts import repository as pacts_repository
from broker.provider_contracts import repository
from broker.provider_contracts.comparison import ComparisonError, document_from_text
from broker.provider_contracts.coverage import PactUse, provider_coverage
from broker.provider_contracts.tables import provider_contracts
from broker.verifications import repository as verifications_repository
from broker.versions.tables import branch_versions, branches


def broker_coverage(connection: Connection) -> dict[str, Any]:
    everyone = pacticipants_repository.list_all(connection)
    with_contracts = repository.providers_with_contracts(connection, [item.id for item in everyone])
    providers = []
    for provider in sorted((item for item in everyone if item.id in with_contracts), key=lambda item: item.name):
        contract = _main_branch_contract(connection, provider.id, provider.main_branch)
        if contract is None:
            continue
        try:
            document = document_from_text(contract.content, f"{provider.name}'s contract").content
        except ComparisonError:
            continue  # a stored contract that is not an OpenAPI document has no operations to map
        found = provider_coverage(provider.name, document, _pacts_that_matter(connection, provider.id))
        found["contract"] = {"version": contract.provider_version_number, "sha": contract.sha}
        providers.append(found)
    return {"source": "the provider contracts and pacts in this broker", "fuzzReport": None, "providers": providers}


def _main_branch_contract(connection: Connection, provider_id: int, main_branch: str | None) -> Any:
    newest = sa.select(sa.func.max(provider_contracts.c.provider_version_id)).where(
        provider_contracts.c.provider_id == provider_id
    )
    on_main = (
        newest.join(branch_versions, branch_versions.c.version_id == provider_contracts.c.provider_version_id)
        .join(branches, branches.c.id == branch_versions.c.branch_id)
        .where(branches.c.name == (main_branch or "main"))
    )
    version_id = connection.execute(on_main).scalar() or connection.execute(newest).scalar()
    return repository.find_contract(connection, version_id) if version_id is not None else None


def _pacts_that_matter(connection: Connection, provider_id: int) -> list[PactUse]:
    ids = [publication_id for publication_id, _ in repository.publications_that_matter(connection, provider_id)]
    by_pact_version: dict[int, list[Any]] = {}
    for publication in pacts_repository.publications_by_ids(connection, ids):
        by_pact_version.setdefault(publication.pact_version_id, []).append(publication)
    verifications = verifications_repository.latest_for_pact_versions(connection, list(by_pact_version))
    uses = []
    for pact_version_id, publications in sorted(by_pact_version.items()):
        verification = verifications.get(pact_version_id)
        verified = (
            f"verified by {verification.provider_name} {verification.provider_version_number}"
            if verification is not None and verification.success
            else None
        )
        numbers = ", ".join(sorted({item.consumer_version_number for item in publications}))
        content = pacts_repository.document_of(connection, pact_version_id)
        uses.append(PactUse(publications[0].consumer_name, numbers, content, verified))
    return uses
