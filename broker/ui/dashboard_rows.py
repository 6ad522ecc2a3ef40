"""Which pacts the integration dashboard lists, one page at a time in SQL.

`view` chooses the consumer versions shown, as the official dashboard's views do:
* `branch`: the newest pact of each consumer branch (the main branch first);
* `tag`: the newest pact of each consumer tag;
* `environment`: the pacts of consumer versions deployed or released (and supported) now;
* `all`: every pact the consumer published for this provider, newest first.
Each row says why it is there (`branch main`, `tag prod`, `deployed to test`). The heads come from
the tables kept on write (`latest_branch_pacts`, `latest_tag_pacts`), so no view scans history
except `all`, which pages down the pair's publications by index.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from broker.deployments.tables import deployed_versions, environments, released_versions
from broker.pacts.tables import latest_branch_pacts, latest_tag_pacts, pact_publications
from broker.versions.tables import branches

VIEWS = ("branch", "tag", "environment", "all")
DEFAULT_VIEW = "branch"


@dataclass(frozen=True, slots=True)
class Listed:
    """One row of the dashboard: a publication and why this view lists it."""

    publication_id: int
    kind: str  # "branch", "tag", "deployed", "released" or "" (view=all)
    reason: str


def _pair(table: Any, provider_id: int, consumer_id: int) -> list[Any]:
    return [table.c.provider_id == provider_id, table.c.consumer_id == consumer_id]


def _branch_heads(provider_id: int, consumer_id: int, main_branch: str | None) -> sa.Select[Any]:
    is_main = sa.case((branches.c.name == (main_branch or ""), 0), else_=1)
    return (
        sa.select(
            latest_branch_pacts.c.pact_publication_id.label("publication_id"),
            sa.literal("branch").label("kind"),
            branches.c.name.label("reason"),
            is_main.label("first"),
            latest_branch_pacts.c.consumer_version_id.label("version_id"),
        )
        .join(branches, branches.c.id == latest_branch_pacts.c.branch_id)
        .where(*_pair(latest_branch_pacts, provider_id, consumer_id))
    )


def _tag_heads(provider_id: int, consumer_id: int) -> sa.Select[Any]:
    return sa.select(
        latest_tag_pacts.c.pact_publication_id.label("publication_id"),
        sa.literal("tag").label("kind"),
        latest_tag_pacts.c.tag_name.label("reason"),
        sa.literal(0).label("first"),
        latest_tag_pacts.c.consumer_version_id.label("version_id"),
    ).where(*_pair(latest_tag_pacts, provider_id, consumer_id))


def _in_environments(provider_id: int, consumer_id: int) -> sa.CompoundSelect:
    parts = []
    for kind, table, current in (
        ("deployed", deployed_versions, deployed_versions.c.undeployed_at.is_(None)),
        ("released", released_versions, released_versions.c.support_ended_at.is_(None)),
    ):
        parts.append(
            sa.select(
                pact_publications.c.id.label("publication_id"),
                sa.literal(kind).label("kind"),
                environments.c.name.label("reason"),
                sa.literal(0).label("first"),
                pact_publications.c.consumer_version_id.label("version_id"),
            )
            .join(table, table.c.version_id == pact_publications.c.consumer_version_id)
            .join(environments, environments.c.id == table.c.environment_id)
            .where(*_pair(pact_publications, provider_id, consumer_id), current)
        )
    return sa.union(*parts)


def _every_publication(provider_id: int, consumer_id: int) -> sa.Select[Any]:
    return sa.select(
        pact_publications.c.id.label("publication_id"),
        sa.literal("").label("kind"),
        sa.literal("").label("reason"),
        sa.literal(0).label("first"),
        pact_publications.c.consumer_version_id.label("version_id"),
    ).where(*_pair(pact_publications, provider_id, consumer_id))


def _listed(view: str, provider_id: int, consumer_id: int, main_branch: str | None) -> Any:
    if view == "branch":
        return _branch_heads(provider_id, consumer_id, main_branch).subquery()
    if view == "tag":
        return _tag_heads(provider_id, consumer_id).subquery()
    if view == "environment":
        return _in_environments(provider_id, consumer_id).subquery()
    return _every_publication(provider_id, consumer_id).subquery()


def dashboard_page(
    connection: Connection,
    *,
    view: str,
    provider_id: int,
    consumer_id: int,
    main_branch: str | None,
    limit: int,
    offset: int,
) -> tuple[list[Listed], int]:
    """One page of the view's rows (the main branch first, then newest consumer version first),
    and how many rows the view has in all."""
    listed = _listed(view, provider_id, consumer_id, main_branch)
    total = connection.execute(sa.select(sa.func.count()).select_from(listed)).scalar_one()
    order = (
        [listed.c.version_id.desc()]  # one publication per version: walks the pair's index backwards
        if view == "all"
        else [listed.c.first, listed.c.version_id.desc(), listed.c.reason, listed.c.kind]
    )
    rows = connection.execute(
        sa.select(listed.c.publication_id, listed.c.kind, listed.c.reason).order_by(*order).limit(limit).offset(offset)
    )
    return [Listed(row.publication_id, row.kind, row.reason) for row in rows], total
