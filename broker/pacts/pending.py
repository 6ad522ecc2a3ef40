"""Pending status: whether a pact's content may still fail without failing the provider's build.

Per content, for the provider branch (or each provider tag) doing the verification: pending
until a version on that branch has verified it successfully, or some version did so before the
branch existed (a new feature branch inherits "not pending"). Failures never clear it.
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
    """Content verified by the provider branch, or before it existed (`branch` None: not yet)."""
    ids = list(pact_version_ids)
    if branch is None:
        return verifications_repository.successfully_verified(connection, ids)
    return verifications_repository.successfully_verified(
        connection, ids, branch_id=branch.id, exclude_wip=exclude_wip, or_before=branch.created_at
    )


def verified_for_tag(
    connection: Connection, provider: Pacticipant, pact_version_ids: Iterable[int], tag: str, *, exclude_wip: bool = False
) -> set[int]:
    ids = list(pact_version_ids)
    first_used = tags.first_created(connection, provider.id, tag)
    if first_used is None:
        return verifications_repository.successfully_verified(connection, ids)
    return verifications_repository.successfully_verified(
        connection, ids, tag=tag, exclude_wip=exclude_wip, or_before=first_used
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
