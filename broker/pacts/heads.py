"""Keeping `latest_branch_pacts` and `latest_tag_pacts` true as versions, branches, tags and
publications come and go.

Additions only ever move a head forward (an upsert guarded by the consumer version order, safe
under concurrent writers); removals recompute the affected heads from history.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from broker.pacts.tables import latest_branch_pacts, latest_tag_pacts, pact_publications
from broker.storage.upserts import upsert_if_newer, upsert_many_if_newer
from broker.versions.tables import branch_versions, tags


def _advance_branch_head(
    connection: Connection,
    branch_id: int,
    publication_id: int,
    provider_id: int,
    consumer_id: int,
    consumer_version_id: int,
    created_at: object,
) -> None:
    upsert_if_newer(
        connection,
        latest_branch_pacts,
        {
            "provider_id": provider_id,
            "branch_id": branch_id,
            "consumer_id": consumer_id,
            "pact_publication_id": publication_id,
            "consumer_version_id": consumer_version_id,
            "created_at": created_at,
        },
        ["provider_id", "branch_id"],
        "consumer_version_id",
    )


def _tag_head(
    tag_name: str,
    publication_id: int,
    provider_id: int,
    consumer_id: int,
    consumer_version_id: int,
    created_at: object,
) -> dict[str, object]:
    return {
        "provider_id": provider_id,
        "consumer_id": consumer_id,
        "tag_name": tag_name,
        "pact_publication_id": publication_id,
        "consumer_version_id": consumer_version_id,
        "created_at": created_at,
    }


def _advance_tag_heads(connection: Connection, heads: list[dict[str, object]]) -> None:
    upsert_many_if_newer(
        connection, latest_tag_pacts, heads, ["provider_id", "consumer_id", "tag_name"], "consumer_version_id"
    )


def _advance_tag_head(
    connection: Connection,
    tag_name: str,
    publication_id: int,
    provider_id: int,
    consumer_id: int,
    consumer_version_id: int,
    created_at: object,
) -> None:
    _advance_tag_heads(
        connection, [_tag_head(tag_name, publication_id, provider_id, consumer_id, consumer_version_id, created_at)]
    )


def _publications_of(connection: Connection, version_id: int) -> list[sa.Row[tuple[int, int, int, object]]]:
    return list(
        connection.execute(
            sa.select(
                pact_publications.c.id,
                pact_publications.c.provider_id,
                pact_publications.c.consumer_id,
                pact_publications.c.created_at,
            ).where(pact_publications.c.consumer_version_id == version_id)
        )
    )


def labels_of_version(connection: Connection, version_id: int) -> tuple[list[int], list[str]]:
    """The version's branch ids and tag names, in one round trip."""
    rows = connection.execute(
        sa.union_all(
            sa.select(
                sa.literal("branch").label("kind"), sa.cast(branch_versions.c.branch_id, sa.String).label("key")
            ).where(branch_versions.c.version_id == version_id),
            sa.select(sa.literal("tag").label("kind"), tags.c.name.label("key")).where(tags.c.version_id == version_id),
        )
    ).all()
    return [int(row.key) for row in rows if row.kind == "branch"], [row.key for row in rows if row.kind == "tag"]


def publication_added(
    connection: Connection,
    publication_id: int,
    provider_id: int,
    consumer_id: int,
    version_id: int,
    created_at: object,
    labels: tuple[list[int], list[str]] | None = None,
) -> None:
    """Move the heads of the version's branches and tags (`labels`, when the caller knows them)."""
    branch_ids, tag_names = labels if labels is not None else labels_of_version(connection, version_id)
    for branch_id in branch_ids:
        _advance_branch_head(connection, branch_id, publication_id, provider_id, consumer_id, version_id, created_at)
    _advance_tag_heads(
        connection,
        [
            _tag_head(tag_name, publication_id, provider_id, consumer_id, version_id, created_at)
            for tag_name in tag_names
        ],
    )


def branch_version_added(connection: Connection, branch_id: int, version_id: int) -> None:
    for row in _publications_of(connection, version_id):
        _advance_branch_head(
            connection, branch_id, row.id, row.provider_id, row.consumer_id, version_id, row.created_at
        )


def tag_added(connection: Connection, tag_name: str, version_id: int) -> None:
    tags_added(connection, [tag_name], version_id)


def tags_added(connection: Connection, tag_names: Iterable[str], version_id: int) -> None:
    """Move the heads of tags just put on a version that has publications: one statement."""
    names = list(tag_names)
    if not names:
        return
    publications = _publications_of(connection, version_id)
    _advance_tag_heads(
        connection,
        [
            _tag_head(name, row.id, row.provider_id, row.consumer_id, version_id, row.created_at)
            for row in publications
            for name in names
        ],
    )


def recompute_tag(connection: Connection, consumer_id: int, tag_name: str) -> None:
    """Rebuild a consumer tag's heads after the tag was removed from a version."""
    connection.execute(
        latest_tag_pacts.delete().where(
            latest_tag_pacts.c.consumer_id == consumer_id, latest_tag_pacts.c.tag_name == tag_name
        )
    )
    newest_per_provider = connection.execute(
        sa.select(pact_publications.c.provider_id, sa.func.max(pact_publications.c.consumer_version_id))
        .join(tags, tags.c.version_id == pact_publications.c.consumer_version_id)
        .where(tags.c.pacticipant_id == consumer_id, tags.c.name == tag_name)
        .group_by(pact_publications.c.provider_id)
    ).all()
    for provider_id, version_id in newest_per_provider:
        row = connection.execute(
            sa.select(pact_publications.c.id, pact_publications.c.created_at).where(
                pact_publications.c.provider_id == provider_id, pact_publications.c.consumer_version_id == version_id
            )
        ).one()
        _advance_tag_head(connection, tag_name, row.id, provider_id, consumer_id, version_id, row.created_at)


def recompute_for_version(
    connection: Connection, consumer_id: int, branch_ids: Iterable[int], tag_names: Iterable[str]
) -> None:
    """Rebuild every head a version took part in, after its publications or the version went away."""
    for branch_id in set(branch_ids):
        recompute_branch(connection, branch_id)
    for tag_name in set(tag_names):
        recompute_tag(connection, consumer_id, tag_name)


def recompute_branch(connection: Connection, branch_id: int) -> None:
    """Rebuild one branch's heads after a version left it (or its publications went away)."""
    connection.execute(latest_branch_pacts.delete().where(latest_branch_pacts.c.branch_id == branch_id))
    newest_per_provider = connection.execute(
        sa.select(pact_publications.c.provider_id, sa.func.max(pact_publications.c.consumer_version_id))
        .join(branch_versions, branch_versions.c.version_id == pact_publications.c.consumer_version_id)
        .where(branch_versions.c.branch_id == branch_id)
        .group_by(pact_publications.c.provider_id)
    ).all()
    for provider_id, version_id in newest_per_provider:
        row = connection.execute(
            sa.select(pact_publications.c.id, pact_publications.c.consumer_id, pact_publications.c.created_at).where(
                pact_publications.c.provider_id == provider_id, pact_publications.c.consumer_version_id == version_id
            )
        ).one()
        _advance_branch_head(connection, branch_id, row.id, provider_id, row.consumer_id, version_id, row.created_at)
