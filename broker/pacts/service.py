"""Finding pacts the way the clients ask for them: by version, latest, branch, tag, content."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from broker.errors import NotFoundError
from broker.integrations import repository as integrations_repository
from broker.pacticipants import service as pacticipants
from broker.pacticipants.models import Pacticipant
from broker.pacts import content, heads, repository
from broker.pacts.models import Pact, PactVersion, Publication
from broker.pacts.selection import heads_of_branches, main_branch_ids
from broker.versions import branches, tags
from broker.versions import repository as versions_repository


def _pair(connection: Connection, provider_name: str, consumer_name: str) -> tuple[Pacticipant, Pacticipant]:
    return (
        pacticipants.get_pacticipant(connection, provider_name),
        pacticipants.get_pacticipant(connection, consumer_name),
    )


def document_for(connection: Connection, pact_version: PactVersion) -> dict[str, Any]:
    """The stored content with this pair's names (content is shared between pairs by SHA)."""
    document = repository.document_of(connection, pact_version.id)
    document["consumer"] = {**(document.get("consumer") or {}), "name": pact_version.consumer_name}
    document["provider"] = {**(document.get("provider") or {}), "name": pact_version.provider_name}
    return document


def pact_of(connection: Connection, publication: Publication) -> Pact:
    pact_version = repository.find_pact_version_by_id(connection, publication.pact_version_id)
    assert pact_version is not None
    return Pact(pact_version, document_for(connection, pact_version), publication)


def _not_found(provider_name: str, consumer_name: str, detail: str) -> NotFoundError:
    return NotFoundError(f"No pact between '{consumer_name}' and '{provider_name}' {detail} found")


def pact_for_version(connection: Connection, provider_name: str, consumer_name: str, number: str) -> Pact:
    provider, consumer = _pair(connection, provider_name, consumer_name)
    version = versions_repository.find(connection, consumer.id, number)
    publication = repository.find_publication(connection, provider.id, version.id) if version else None
    if publication is None:
        raise _not_found(provider_name, consumer_name, f"for consumer version '{number}'")
    return pact_of(connection, publication)


def latest_pact(connection: Connection, provider_name: str, consumer_name: str, tag: str | None = None) -> Pact:
    provider, consumer = _pair(connection, provider_name, consumer_name)
    if tag is None:
        publication = repository.latest_publication(connection, provider.id, consumer.id)
    else:
        ids = repository.latest_publication_ids_for_tag(connection, provider.id, tag, [consumer.id])
        found = repository.publications_by_ids(connection, ids)
        publication = found[0] if found else None
    if publication is None:
        raise _not_found(provider_name, consumer_name, f"with tag '{tag}'" if tag else "")
    return pact_of(connection, publication)


def latest_pact_for_branch(connection: Connection, provider_name: str, consumer_name: str, branch: str | None) -> Pact:
    """`branch=None` means the consumer's main branch."""
    provider, consumer = _pair(connection, provider_name, consumer_name)
    branch_name = branch if branch is not None else consumer.main_branch
    found = branches.find(connection, consumer.id, branch_name) if branch_name else None
    head_ids = heads_of_branches(connection, provider.id, [found.id]) if found else {}
    if not head_ids:
        raise _not_found(provider_name, consumer_name, f"on branch '{branch_name}'")
    return pact_of(connection, repository.publications_by_ids(connection, list(head_ids.values()))[0])


def pact_by_sha(connection: Connection, provider_name: str, consumer_name: str, sha: str) -> Pact:
    provider, consumer = _pair(connection, provider_name, consumer_name)
    pact_version = repository.find_pact_version(connection, provider.id, consumer.id, sha)
    if pact_version is None:
        raise _not_found(provider_name, consumer_name, f"with content SHA '{sha}'")
    publication = repository.latest_publication_of_pact_version(connection, pact_version.id)
    return Pact(pact_version, document_for(connection, pact_version), publication)


def delete_pact(connection: Connection, provider_name: str, consumer_name: str, number: str) -> Pact:
    pact = pact_for_version(connection, provider_name, consumer_name, number)
    assert pact.publication is not None
    version_id = pact.publication.consumer_version_id
    branch_ids = [
        found.id
        for ref in branches.branches_of(connection, [version_id])[version_id]
        if (found := branches.find(connection, pact.publication.consumer_id, ref.name)) is not None
    ]
    tag_names = [ref.name for ref in tags.tags_of(connection, [version_id])[version_id]]
    repository.delete_publication(connection, pact.publication.id)
    heads.recompute_for_version(connection, pact.publication.consumer_id, branch_ids, tag_names)
    return pact


def pact_versions_of_integration(
    connection: Connection, provider_name: str, consumer_name: str, limit: int = 100, offset: int = 0
) -> list[Publication]:
    provider, consumer = _pair(connection, provider_name, consumer_name)
    return repository.publications_of_integration(connection, provider.id, consumer.id, limit, offset)


def latest_pacts(connection: Connection) -> list[Publication]:
    """The newest pact of every integration (`/pacts/latest`)."""
    ids = repository.latest_publication_ids_per_integration(connection)
    return sorted(repository.publications_by_ids(connection, ids), key=lambda p: (p.consumer_name, p.provider_name))


def provider_pacts(
    connection: Connection, provider_name: str, *, tag: str | None = None, latest: bool
) -> list[Publication]:
    provider = pacticipants.get_pacticipant(connection, provider_name)
    if tag is None:
        ids = repository.latest_publication_ids_per_integration(connection, provider.id)
        found = repository.publications_by_ids(connection, ids)
    elif latest:
        found = repository.publications_by_ids(
            connection, repository.latest_publication_ids_for_tag(connection, provider.id, tag)
        )
    else:
        found = repository.publications_with_tag(connection, provider.id, tag)
    return sorted(found, key=lambda p: (p.consumer_name, p.consumer_version_id))


def branch_pacts(
    connection: Connection,
    provider_name: str,
    *,
    consumer_name: str | None,
    branch: str | None,
    latest: bool,
) -> list[Publication]:
    """Pacts from a named branch, or (branch=None) from each consumer's main branch."""
    provider = pacticipants.get_pacticipant(connection, provider_name)
    if consumer_name is not None:
        consumer_ids = [pacticipants.get_pacticipant(connection, consumer_name).id]
    else:
        consumer_ids = integrations_repository.consumer_ids_of(connection, provider.id)
    if branch is None:
        branch_ids = main_branch_ids(connection, consumer_ids)
    else:
        by_consumer = {cid: branches.find(connection, cid, branch) for cid in consumer_ids}
        branch_ids = [found.id for found in by_consumer.values() if found is not None]
    if latest:
        found = repository.publications_by_ids(
            connection, list(heads_of_branches(connection, provider.id, branch_ids).values())
        )
    else:
        found = repository.publications_on_branch(connection, provider.id, branch_ids)
    return sorted(found, key=lambda p: (p.consumer_name, -p.consumer_version_id))


def provider_states(connection: Connection, provider_name: str) -> list[dict[str, Any]]:
    """Distinct provider states across the provider's latest pacts, with the consumers using them."""
    seen: dict[str, dict[str, Any]] = {}
    for publication in provider_pacts(connection, provider_name, latest=True):
        document = repository.document_of(connection, publication.pact_version_id)
        for state in content.provider_states(document):
            entry = seen.setdefault(content.canonical_json(state), {**state, "consumers": []})
            if publication.consumer_name not in entry["consumers"]:
                entry["consumers"].append(publication.consumer_name)
    return sorted(seen.values(), key=lambda state: state["name"])
