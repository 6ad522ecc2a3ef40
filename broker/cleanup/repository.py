"""The SQL of the clean-up: which rows are kept, which may go, and deleting them in batches.

Every "what may go" query is ordered by id and limited, so a batch is bounded however large the
backlog; deletions lean on the schema's ON DELETE CASCADE (a version takes its publications,
verifications, tags, branch memberships and deployment records with it).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from broker.cleanup.selectors import KeepSelector
from broker.deployments.tables import deployed_versions, environments, released_versions
from broker.pacticipants.tables import pacticipants
from broker.pacts import heads
from broker.pacts.tables import latest_branch_pacts, latest_tag_pacts, pact_contents, pact_publications, pact_versions
from broker.storage.lists import one_of
from broker.verifications.tables import latest_verifications, verifications
from broker.versions.tables import branch_versions, branches, tags, versions
from broker.webhooks.tables import triggered_webhooks


def _deployed_ids(environment: str | None = None) -> sa.Select[Any]:
    statement = sa.select(deployed_versions.c.version_id).where(deployed_versions.c.undeployed_at.is_(None))
    if environment is not None:
        statement = statement.join(environments, environments.c.id == deployed_versions.c.environment_id).where(
            environments.c.name == environment
        )
    return statement


def _released_ids(environment: str | None = None) -> sa.Select[Any]:
    statement = sa.select(released_versions.c.version_id).where(released_versions.c.support_ended_at.is_(None))
    if environment is not None:
        statement = statement.join(environments, environments.c.id == released_versions.c.environment_id).where(
            environments.c.name == environment
        )
    return statement


def _branch_condition(selector: KeepSelector) -> list[Any]:
    if selector.main_branch:
        return [
            branches.c.pacticipant_id == pacticipants.c.id,
            pacticipants.c.main_branch == branches.c.name,
        ]
    if isinstance(selector.branch, str):
        return [branches.c.name == selector.branch]
    return []


def kept_version_ids(selector: KeepSelector, now: datetime) -> sa.Select[Any]:
    """The ids (as `id`) of the versions one selector keeps (the official `Version.for_selector`)."""
    criteria: list[Any] = []
    if selector.pacticipant is not None:
        criteria.append(
            versions.c.pacticipant_id.in_(
                sa.select(pacticipants.c.id).where(pacticipants.c.name == selector.pacticipant)
            )
        )
    if selector.environment is not None:
        criteria.append(
            versions.c.id.in_(sa.union(_deployed_ids(selector.environment), _released_ids(selector.environment)))
        )
    if selector.deployed:
        criteria.append(versions.c.id.in_(_deployed_ids()))
    if selector.released:
        criteria.append(versions.c.id.in_(_released_ids()))
    if selector.max_age_days is not None:
        criteria.append(versions.c.created_at >= now - timedelta(days=selector.max_age_days))
    if selector.main_branch or selector.branch is not None:
        on_branch = (
            sa.select(
                branch_versions.c.version_id if not selector.latest else sa.func.max(branch_versions.c.version_id)
            )
            .join(branches, branches.c.id == branch_versions.c.branch_id)
            .where(*_branch_condition(selector))
        )
        if selector.main_branch:
            on_branch = on_branch.join(pacticipants, pacticipants.c.id == branches.c.pacticipant_id)
        if selector.latest:  # the heads: the newest version of each branch
            on_branch = on_branch.group_by(branch_versions.c.branch_id)
        criteria.append(versions.c.id.in_(on_branch))
        return sa.select(versions.c.id.label("id")).where(*criteria)
    if selector.tag is not None:
        tagged = [tags.c.name == selector.tag] if isinstance(selector.tag, str) else []
        if not selector.latest:
            criteria.append(versions.c.id.in_(sa.select(tags.c.version_id).where(*tagged)))
            return sa.select(versions.c.id.label("id")).where(*criteria)
        grouping = [versions.c.pacticipant_id, tags.c.name] if selector.tag is True else [versions.c.pacticipant_id]
        return (
            sa.select(sa.func.max(versions.c.id).label("id"))
            .join(tags, tags.c.version_id == versions.c.id)
            .where(*criteria, *tagged)
            .group_by(*grouping)
        )
    if selector.latest:
        return sa.select(sa.func.max(versions.c.id).label("id")).where(*criteria).group_by(versions.c.pacticipant_id)
    return sa.select(versions.c.id.label("id")).where(*criteria)


def _all_kept(keep: Sequence[KeepSelector], now: datetime) -> sa.CompoundSelect:
    return sa.union(*(kept_version_ids(selector, now) for selector in keep))


def unkept_versions(
    connection: Connection, keep: Sequence[KeepSelector], now: datetime, limit: int | None
) -> list[sa.Row[Any]]:
    """The oldest versions no selector keeps: id, pacticipant, number, created_at."""
    kept = _all_kept(keep, now).subquery("kept")
    statement = (
        sa.select(versions.c.id, pacticipants.c.name.label("pacticipant"), versions.c.number, versions.c.created_at)
        .join(pacticipants, pacticipants.c.id == versions.c.pacticipant_id)
        .outerjoin(kept, kept.c.id == versions.c.id)
        .where(kept.c.id.is_(None))
        .order_by(versions.c.id)
    )
    if limit is not None:
        statement = statement.limit(limit)
    return list(connection.execute(statement))


def kept_count(connection: Connection, selector: KeepSelector, now: datetime) -> int:
    inner = kept_version_ids(selector, now).subquery()
    return connection.execute(sa.select(sa.func.count()).select_from(inner)).scalar_one()


def version_counts(connection: Connection) -> dict[str, int]:
    rows = connection.execute(
        sa.select(pacticipants.c.name, sa.func.count(versions.c.id))
        .outerjoin(versions, versions.c.pacticipant_id == pacticipants.c.id)
        .group_by(pacticipants.c.name)
    )
    return {name: count for name, count in rows}


def delete_versions(connection: Connection, version_ids: Sequence[int]) -> None:
    """Delete versions (their publications, verifications and labels cascade), then rebuild the
    pact heads that pointed at them."""
    if not version_ids:
        return
    branch_ids = connection.execute(
        sa.select(latest_branch_pacts.c.branch_id)
        .where(one_of(connection, latest_branch_pacts.c.consumer_version_id, version_ids))
        .distinct()
    ).scalars()
    branch_ids = list(branch_ids)
    tag_heads = connection.execute(
        sa.select(latest_tag_pacts.c.consumer_id, latest_tag_pacts.c.tag_name)
        .where(one_of(connection, latest_tag_pacts.c.consumer_version_id, version_ids))
        .distinct()
    ).all()
    connection.execute(versions.delete().where(one_of(connection, versions.c.id, version_ids)))
    for branch_id in branch_ids:
        heads.recompute_branch(connection, branch_id)
    for consumer_id, tag_name in tag_heads:
        heads.recompute_tag(connection, consumer_id, tag_name)


def _ids(connection: Connection, statement: sa.Select[Any], limit: int | None) -> list[int]:
    if limit is not None:
        statement = statement.limit(limit)
    return list(connection.execute(statement).scalars())


def orphan_pact_versions(connection: Connection, limit: int | None) -> list[int]:
    """Pact versions nothing refers to: no publication, no verification."""
    statement = (
        sa.select(pact_versions.c.id)
        .where(
            ~sa.exists().where(pact_publications.c.pact_version_id == pact_versions.c.id),
            ~sa.exists().where(verifications.c.pact_version_id == pact_versions.c.id),
        )
        .order_by(pact_versions.c.id)
    )
    return _ids(connection, statement, limit)


def overwritten_pact_versions(connection: Connection, limit: int | None, *, cutoff: datetime) -> list[int]:
    """Content no publication uses any more (it was republished with other content) whose last
    verification, if any, is older than `cutoff`: nothing the matrix shows refers to it."""
    statement = (
        sa.select(pact_versions.c.id)
        .where(
            pact_versions.c.created_at < cutoff,
            ~sa.exists().where(pact_publications.c.pact_version_id == pact_versions.c.id),
            ~sa.exists().where(
                verifications.c.pact_version_id == pact_versions.c.id, verifications.c.created_at >= cutoff
            ),
        )
        .order_by(pact_versions.c.id)
    )
    return _ids(connection, statement, limit)


def duplicate_verifications(connection: Connection, limit: int | None, *, cutoff: datetime) -> list[int]:
    """Results superseded by a newer one from the same provider version for the same content."""
    statement = (
        sa.select(verifications.c.id)
        .where(
            verifications.c.created_at < cutoff,
            ~sa.exists().where(latest_verifications.c.verification_id == verifications.c.id),
        )
        .order_by(verifications.c.id)
    )
    return _ids(connection, statement, limit)


def orphan_contents(connection: Connection, limit: int | None) -> list[int]:
    statement = (
        sa.select(pact_contents.c.id)
        .where(~sa.exists().where(pact_versions.c.content_id == pact_contents.c.id))
        .order_by(pact_contents.c.id)
    )
    return _ids(connection, statement, limit)


def old_triggered_webhooks(connection: Connection, limit: int | None, *, cutoff: datetime) -> list[int]:
    """Settled webhook runs older than `cutoff`, except the newest per webhook and integration
    (which the UI shows as the webhook's status)."""
    newest = (
        sa.select(sa.func.max(triggered_webhooks.c.id))
        .group_by(triggered_webhooks.c.webhook_id, triggered_webhooks.c.consumer_id, triggered_webhooks.c.provider_id)
        .scalar_subquery()
    )
    statement = (
        sa.select(triggered_webhooks.c.id)
        .where(
            triggered_webhooks.c.status.in_(("success", "failure")),
            triggered_webhooks.c.created_at < cutoff,
            triggered_webhooks.c.id.not_in(newest),
        )
        .order_by(triggered_webhooks.c.id)
    )
    return _ids(connection, statement, limit)


def stale_branches(connection: Connection, cutoff: datetime, limit: int | None) -> list[sa.Row[Any]]:
    """Branches other than their pacticipant's main branch with no version added since `cutoff`."""
    statement = (
        sa.select(branches.c.id, pacticipants.c.name.label("pacticipant"), branches.c.name)
        .join(pacticipants, pacticipants.c.id == branches.c.pacticipant_id)
        .where(
            sa.or_(pacticipants.c.main_branch.is_(None), pacticipants.c.main_branch != branches.c.name),
            branches.c.created_at < cutoff,
            ~sa.exists().where(branch_versions.c.branch_id == branches.c.id, branch_versions.c.created_at >= cutoff),
        )
        .order_by(branches.c.id)
    )
    if limit is not None:
        statement = statement.limit(limit)
    return list(connection.execute(statement))


def delete_ids(connection: Connection, table: sa.Table, ids: Sequence[int]) -> None:
    if ids:
        connection.execute(table.delete().where(one_of(connection, table.c.id, ids)))
