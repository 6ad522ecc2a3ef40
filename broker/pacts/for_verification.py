"""Pacts for verification: selectors -> publications -> one entry per content, pending, WIP.

Entries are deduplicated by (consumer, content): the representative is the newest consumer
version carrying that content, and the selectors that picked it are merged, which is what the
verifier's notices and the metadata in each pact URL report.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from broker.deployments import repository as deployments_repository
from broker.errors import InvalidInputError, NotFoundError
from broker.pacticipants import service as pacticipants
from broker.pacticipants.models import Pacticipant
from broker.pacts.models import Publication
from broker.pacts.pending import PendingStatus, pending_statuses, verified_for_branch_both
from broker.pacts.selection import Selection, default_selections, select_all
from broker.pacts.selectors import VerificationQuery, environments_named
from broker.pacts.wip import wip_candidates, wip_selections
from broker.versions import branches


@dataclass(frozen=True)
class VerifiablePact:
    publication: Publication
    selections: tuple[Selection, ...]
    pending: PendingStatus | None
    wip: bool


@dataclass(frozen=True)
class PactsForVerification:
    provider: Pacticipant
    query: VerificationQuery
    pacts: list[VerifiablePact]


def _deduplicated(selections: Iterable[Selection]) -> list[tuple[Publication, tuple[Selection, ...]]]:
    groups: dict[tuple[int, int], list[Selection]] = {}
    for selection in selections:
        key = (selection.publication.consumer_id, selection.publication.pact_version_id)
        group = groups.setdefault(key, [])
        if selection not in group:
            group.append(selection)
    result = []
    for group in groups.values():
        representative = max((s.publication for s in group), key=lambda p: p.consumer_version_id)
        result.append((representative, tuple(group)))
    result.sort(key=lambda item: (item[0].consumer_name, item[0].consumer_version_id))
    return result


def find_pacts_for_verification(
    connection: Connection, provider_name: str, query: VerificationQuery
) -> PactsForVerification:
    branch_name = query.provider_version_branch
    if branch_name:  # the provider and its branch in one round trip
        found = branches.pacticipant_with_branch(connection, provider_name, branch_name)
        if found is None:
            raise NotFoundError(f"No pacticipant with name '{provider_name}' found")
        provider, provider_branch = found
    else:
        provider, provider_branch = pacticipants.get_pacticipant(connection, provider_name), None
    for name in environments_named(query.selectors):
        if deployments_repository.find_environment(connection, name=name) is None:
            raise InvalidInputError(
                f"Environment with name '{name}' does not exist",
                {"consumerVersionSelectors": [f"Environment with name '{name}' does not exist"]},
            )
    if query.explicit_selectors:
        selections = select_all(connection, provider, query.selectors)
    else:
        selections = default_selections(connection, provider)
    explicit = _deduplicated(selections)
    explicit_ids = [publication.pact_version_id for publication, _ in explicit]
    already = {(p.consumer_id, p.pact_version_id) for p, _ in explicit}
    statuses: dict[int, PendingStatus] = {}
    candidates = verified_outside_wip = None
    if query.include_pending_status and explicit and branch_name and query.include_wip_pacts_since is not None:
        # a provider branch asking for pending status and WIP pacts (what the verifiers send):
        # both checks answered by one query over the explicit pacts and the WIP candidates
        candidates = wip_candidates(connection, provider, query.include_wip_pacts_since, already)
        verified, verified_outside_wip = verified_for_branch_both(
            connection, [*explicit_ids, *(row.pact_version_id for row in candidates)], provider_branch
        )
        statuses = {pid: PendingStatus(pid not in verified) for pid in explicit_ids}
    elif query.include_pending_status and explicit:
        statuses = pending_statuses(
            connection, provider, explicit_ids, branch_name, provider_branch, query.provider_version_tags
        )
    pacts = [
        VerifiablePact(publication, group, statuses.get(publication.pact_version_id), False)
        for publication, group in explicit
    ]
    if query.include_wip_pacts_since is not None:
        wip = wip_selections(
            connection,
            provider,
            query.include_wip_pacts_since,
            branch_name,
            provider_branch,
            query.provider_version_tags,
            already,
            candidates=candidates,
            verified_outside_wip=verified_outside_wip,
        )
        for publication, group in _deduplicated(wip):
            pending_tags = query.provider_version_tags if not query.provider_version_branch else ()
            pacts.append(VerifiablePact(publication, group, PendingStatus(True, tuple(pending_tags)), True))
    return PactsForVerification(provider, query, pacts)
