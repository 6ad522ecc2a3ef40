"""Pending status: whether a pact's content may still fail without failing the provider's build.

Per content, for the provider branch (or each provider tag) doing the verification: pending
until a version on that branch (with that tag) has verified it successfully, or a version on
another branch (with another tag) did so before this branch (tag) first existed, or at any time
when it does not exist yet, so a new feature branch inherits "not pending". Failures never clear
it. WIP asks the same questions counting only verifications made outside WIP (`exclude_wip`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from broker.pacticipants.models import Pacticipant
from broker.verifications import repository as verifications_repository
from broker.versions import tags
from broker.versions.models import Branch


@dataclass(frozen=True)
class PendingStatus:
    pending: bool
    pending_tags: tuple[str, ...] = ()
    non_pending_tags: tuple[str, ...] = ()


def verified_for_branch(
    connection: Connection, pact_version_ids: Iterable[int], branch: Branch | None, *, exclude_wip: bool = False
) -> set[int]:
    """Content verified by the provider branch, or by another branch before it existed (`branch`
    None: it does not exist yet, so by any branch at any time)."""
    return verifications_repository.successfully_verified(
        connection,
        pact_version_ids,
        branch_id=branch.id if branch is not None else 0,
        before=branch.created_at if branch is not None else None,
        exclude_wip=exclude_wip,
    )


def verified_for_branch_both(
    connection: Connection, pact_version_ids: Iterable[int], branch: Branch | None
) -> tuple[set[int], set[int]]:
    """`verified_for_branch` counting every success and counting only those made outside WIP,
    in one query (what the pending and WIP checks of one request ask)."""
    return verifications_repository.successfully_verified_by_branch(
        connection,
        pact_version_ids,
        branch_id=branch.id if branch is not None else 0,
        before=branch.created_at if branch is not None else None,
    )


def verified_for_tag(
    connection: Connection,
    provider: Pacticipant,
    pact_version_ids: Iterable[int],
    tag: str,
    *,
    exclude_wip: bool = False,
) -> set[int]:
    """Content verified by a provider version with the tag, or with another tag before the tag
    was first used (at any time, if it never was)."""
    return verifications_repository.successfully_verified(
        connection,
        pact_version_ids,
        tag=tag,
        before=tags.first_created(connection, provider.id, tag),
        exclude_wip=exclude_wip,
    )


def pending_statuses(
    connection: Connection,
    provider: Pacticipant,
    pact_version_ids: Sequence[int],
    branch_name: str | None,
    branch: Branch | None,
    provider_tags: Sequence[str],
) -> dict[int, PendingStatus]:
    """`branch` is the provider's branch called `branch_name` (None when it does not exist yet)."""
    ids = list(dict.fromkeys(pact_version_ids))
    if branch_name:
        verified = verified_for_branch(connection, ids, branch)
        return {pid: PendingStatus(pid not in verified) for pid in ids}
    if provider_tags:
        verified_by_tag = {tag: verified_for_tag(connection, provider, ids, tag) for tag in provider_tags}
        statuses = {}
        for pid in ids:
            pending_tags = tuple(tag for tag in provider_tags if pid not in verified_by_tag[tag])
            non_pending = tuple(tag for tag in provider_tags if pid in verified_by_tag[tag])
            statuses[pid] = PendingStatus(bool(pending_tags), pending_tags, non_pending)
        return statuses
    verified = verifications_repository.successfully_verified(connection, ids)
    return {pid: PendingStatus(pid not in verified) for pid in ids}
