"""What each badge shows: find the pact, verification or can-i-deploy verdict behind it.

Badges always draw something: a missing pacticipant, version, branch or environment is a grey
badge saying so, as the official broker's are, because a README image cannot show an error page.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Connection

from broker.badges import texts, untagged
from broker.badges.svg import Badge
from broker.deployments import repository as deployments_repository
from broker.matrix import service as matrix
from broker.matrix.parse_query import MatrixQuery
from broker.matrix.selectors import UnresolvedSelector
from broker.pacticipants import repository as pacticipants_repository
from broker.pacts import repository as pacts_repository
from broker.pacts.models import Publication
from broker.verifications import repository as verifications_repository
from broker.verifications.pseudo_branch_status import pseudo_branch_status
from broker.versions import branches
from broker.versions import repository as versions_repository


@dataclass(frozen=True)
class Style:
    """The `label` and `initials` query parameters."""

    label: str | None = None
    initials: bool = False


@dataclass(frozen=True)
class Drawn:
    badge: Badge
    comment: str | None = None


def _latest_publication(
    connection: Connection, provider_id: int, consumer_id: int, tag: str | None
) -> Publication | None:
    if tag is None:
        return pacts_repository.latest_publication(connection, provider_id, consumer_id)
    ids = pacts_repository.latest_publication_ids_for_tag(connection, provider_id, tag, [consumer_id])
    found = pacts_repository.publications_by_ids(connection, ids)
    return found[0] if found else None


def pact_badge(
    connection: Connection,
    provider_name: str,
    consumer_name: str,
    style: Style,
    *,
    consumer_tag: str | None = None,
    provider_tag: str | None = None,
    tags_in_title: bool = False,
    only_untagged: bool = False,
) -> Drawn:
    """The newest pact (from consumer versions with `consumer_tag`, or with no tag at all when
    `only_untagged`) against its newest verification (by provider versions with `provider_tag`;
    of untagged consumer versions' pacts when `only_untagged`): verified, changed, failed..."""
    found = pacticipants_repository.find_by_names(connection, [provider_name, consumer_name])
    provider, consumer = found.get(provider_name), found.get(consumer_name)
    publication = None
    if provider is not None and consumer is not None:
        publication = (
            untagged.latest_publication(connection, provider.id, consumer.id)
            if only_untagged
            else _latest_publication(connection, provider.id, consumer.id, consumer_tag)
        )
    if provider is None or consumer is None or publication is None:
        comment = f"{consumer_name} version ? revision ? {provider_name} version ? number ?"
        return Drawn(texts.PACT_NOT_FOUND, comment)
    verification = (
        untagged.latest_verification(connection, provider.id, consumer.id)
        if only_untagged
        else verifications_repository.latest_for_integration(
            connection, consumer.id, provider.id, consumer_tag=consumer_tag, provider_tag=provider_tag
        )
    )
    status = pseudo_branch_status(publication.sha, verification)
    title = texts.pact_title(
        consumer_name,
        provider_name,
        label=style.label,
        initials=style.initials,
        consumer_tag=consumer_tag if tags_in_title else None,
        provider_tag=provider_tag if tags_in_title else None,
    )
    comment = (
        f"{consumer_name} version {publication.consumer_version_number} revision {publication.revision_number} "
        f"{provider_name} version {verification.provider_version_number if verification else '?'} "
        f"number {verification.number if verification else '?'}"
    )
    return Drawn(texts.pact_badge(title, status), comment)


def can_i_deploy_tag_badge(connection: Connection, pacticipant_name: str, tag: str, to: str, style: Style) -> Drawn:
    """Can the newest version with `tag` go where the `to` tag is (the pre-environments way)?"""
    pacticipant = pacticipants_repository.find_by_name(connection, pacticipant_name)
    if pacticipant is None:
        return Drawn(texts.error_badge("pacticipant", "not found"))
    if versions_repository.latest_with_tag(connection, pacticipant.id, tag) is None:
        return Drawn(texts.error_badge("version", "not found"))
    selector = UnresolvedSelector(pacticipant_name, latest=True, tag=tag)
    results = matrix.find(connection, MatrixQuery((selector,), latestby="cvp", latest=True, tag=to))
    return Drawn(texts.can_i_deploy_badge(tag, to, style.label, results.summary.deployable))


def can_i_deploy_branch_badge(
    connection: Connection, pacticipant_name: str, branch_name: str, environment: str, style: Style
) -> Drawn:
    """Can the newest version from a branch be deployed to an environment?"""
    pacticipant = pacticipants_repository.find_by_name(connection, pacticipant_name)
    if pacticipant is None:
        return Drawn(texts.error_badge("pacticipant", "not found"))
    branch = branches.find(connection, pacticipant.id, branch_name)
    if branch is None:
        return Drawn(texts.error_badge("branch", "not found"))
    if branches.head_version_id(connection, branch.id) is None:
        return Drawn(texts.error_badge("version", "not found"))
    if deployments_repository.find_environment(connection, name=environment) is None:
        return Drawn(texts.error_badge("environment", "not found"))
    selector = UnresolvedSelector(pacticipant_name, latest=True, branch=branch_name)
    results = matrix.find(connection, MatrixQuery((selector,), latestby="cvpv", environment=environment))
    return Drawn(texts.can_i_deploy_badge(branch_name, environment, style.label, results.summary.deployable))


def can_i_merge_badge(connection: Connection, pacticipant_name: str) -> Drawn:
    """Is the newest main-branch version compatible with the main branches of everything it
    integrates with?"""
    pacticipant = pacticipants_repository.find_by_name(connection, pacticipant_name)
    if pacticipant is None:
        return Drawn(texts.error_badge("pacticipant", "not found"))
    branch = branches.find(connection, pacticipant.id, pacticipant.main_branch) if pacticipant.main_branch else None
    head = branches.head(connection, branch.id) if branch else None
    if head is None:
        return Drawn(texts.error_badge("main branch version", "not found"))
    selector = UnresolvedSelector(pacticipant_name, version_number=head.number)
    results = matrix.find(connection, MatrixQuery((selector,), latestby="cvp", latest=True, main_branch=True))
    return Drawn(texts.can_i_merge_badge(results.summary.deployable))
