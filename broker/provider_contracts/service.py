"""The read side of provider contracts, by names and version numbers as the HTTP resources and
the bi-directional links use them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Connection

from broker.errors import NotFoundError
from broker.pacticipants import service as pacticipants
from broker.pacts import repository as pacts_repository
from broker.pacts.models import Publication
from broker.provider_contracts import cross_contracts, repository
from broker.provider_contracts.models import CrossContractResult, ProviderContract
from broker.versions import repository as versions_repository
from broker.versions import service as versions


@dataclass(frozen=True, slots=True)
class CrossContract:
    """A consumer version's pact, a provider version's contract and their comparison."""

    contract: ProviderContract
    publication: Publication
    result: CrossContractResult

    @property
    def success(self) -> bool:
        """What can-i-deploy needs: a self-verified contract the pact is compatible with."""
        return self.contract.self_verification.success is True and self.result.success


def contract_of(connection: Connection, provider_name: str, version_number: str) -> ProviderContract:
    version = versions.get_version(connection, provider_name, version_number)
    contract = repository.find_contract(connection, version.id)
    if contract is None:
        raise NotFoundError(f"{provider_name} version {version_number} has no provider contract")
    return contract


def contract_of_version(connection: Connection, version_id: int) -> ProviderContract | None:
    return repository.find_contract(connection, version_id)


def publication_of(connection: Connection, provider_name: str, consumer_name: str, number: str) -> Publication:
    provider = pacticipants.get_pacticipant(connection, provider_name)
    version = versions.get_version(connection, consumer_name, number)
    publication = pacts_repository.find_publication(connection, provider.id, version.id)
    if publication is None:
        raise NotFoundError(f"{consumer_name} version {number} has no pact with {provider_name}")
    return publication


def _result(
    connection: Connection, pact_content: int, contract: ProviderContract, pact_sha: str | None, *, store: bool
) -> CrossContractResult:
    """The pair's stored result; else compared now and stored, or, for a reading caller (a
    page), kept in memory by the two contents' SHAs so the next view does not compare again."""
    if store or pact_sha is None:
        return cross_contracts.result_for(connection, pact_content, contract.content_id, store=store)
    found = repository.find_result(connection, pact_content, contract.content_id)
    if found is not None and found.comparator_version == cross_contracts.COMPARATOR_VERSION:
        return found
    return cross_contracts.compare(connection, pact_content, contract.content_id, shas=(pact_sha, contract.sha))


def cross_contract(
    connection: Connection,
    provider_name: str,
    version_number: str,
    consumer_name: str,
    consumer_number: str,
    *,
    store: bool = True,
) -> CrossContract:
    """The pair's comparison (made now if it never was; stored unless `store` is False, for
    callers in a reading transaction such as the pages, whose comparisons are kept in memory)."""
    contract = contract_of(connection, provider_name, version_number)
    publication = publication_of(connection, provider_name, consumer_name, consumer_number)
    pact_content = repository.pact_content_id_of(connection, publication.pact_version_id)
    pact_sha = None if store else repository.pact_shas(connection, [pact_content]).get(pact_content)
    return CrossContract(contract, publication, _result(connection, pact_content, contract, pact_sha, store=store))


def cross_contracts_of(
    connection: Connection, provider_name: str, version_number: str, *, store: bool = True
) -> list[CrossContract]:
    """The contract's comparisons with the newest pacts that matter (made now where missing,
    bounded; stored, or for a reading caller kept in memory by the contents' SHAs)."""
    contract = contract_of(connection, provider_name, version_number)
    wanted = repository.publications_that_matter(
        connection, contract.provider_id, limit=cross_contracts.MAX_COMPARISONS_PER_PUBLISH
    )
    publications = {item.id: item for item in pacts_repository.publications_by_ids(connection, [p for p, _ in wanted])}
    stored = repository.find_results(connection, [content for _, content in wanted], contract.content_id)
    missing = [
        content
        for _, content in wanted
        if content not in stored or stored[content].comparator_version != cross_contracts.COMPARATOR_VERSION
    ]
    shas = {} if store else repository.pact_shas(connection, missing)
    found = []
    for publication_id, content in wanted:
        if publication_id not in publications:
            continue
        result = stored.get(content)
        if result is None or result.comparator_version != cross_contracts.COMPARATOR_VERSION:
            result = _result(connection, content, contract, shas.get(content), store=store)
            stored[content] = result
        found.append(CrossContract(contract, publications[publication_id], result))
    return found


@dataclass(frozen=True, slots=True)
class PactComparison:
    """A provider version's contract already compared with a pact."""

    provider_version_number: str
    self_verified: bool
    result: CrossContractResult

    @property
    def success(self) -> bool:
        return self.self_verified and self.result.success


def cross_contracts_of_pact(connection: Connection, publication: Publication) -> list[PactComparison]:
    """The contracts already compared with this pact, newest provider version first."""
    pact_content = repository.pact_content_id_of(connection, publication.pact_version_id)
    found = repository.results_of_pact(connection, publication.provider_id, pact_content)
    numbers = versions_repository.find_by_ids(connection, [version_id for version_id, _, _ in found])
    return [
        PactComparison(numbers[version_id].number, self_verified is True, result)
        for version_id, result, self_verified in found
        if version_id in numbers
    ]
