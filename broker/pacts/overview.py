"""Which pacts the broker's overview (the index page) lists, with bounded work at any history size.

* the newest pact of each integration: one index probe per pair;
* with labels: also the newest pact per consumer tag, from each consumer's main branch, and every
  pact of a consumer version currently deployed or released — the heads, never the history —
  ordered by consumer, provider and newest first, one page at a time in SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from broker.deployments.tables import deployed_versions, released_versions
from broker.integrations.tables import integrations
from broker.pacticipants.tables import pacticipants
from broker.pacts.models import Publication
from broker.pacts.repository import publication_from_row, publications_by_ids, select_publications
from broker.pacts.tables import latest_branch_pacts, latest_tag_pacts, pact_publications
from broker.versions.tables import branches

_consumers = pacticipants.alias("overview_consumers")
_providers = pacticipants.alias("overview_providers")
_main_owner = pacticipants.alias("overview_main_owner")
_same_pair = pact_publications.alias("overview_same_pair")


def _newest_of_each_integration(pairs: Sequence[tuple[int, int]] | None = None) -> sa.Select[Any]:
    newest_version = (
        sa.select(sa.func.max(_same_pair.c.consumer_version_id))
        .where(
            _same_pair.c.provider_id == integrations.c.provider_id,
            _same_pair.c.consumer_id == integrations.c.consumer_id,
        )
        .correlate(integrations)
        .scalar_subquery()
    )
    statement = (
        sa.select(pact_publications.c.id)
        .select_from(pact_publications)
        .join(
            integrations,
            sa.and_(
                pact_publications.c.provider_id == integrations.c.provider_id,
                pact_publications.c.consumer_version_id == newest_version,
            ),
        )
    )
    if pairs is not None:
        statement = statement.where(sa.tuple_(integrations.c.consumer_id, integrations.c.provider_id).in_(list(pairs)))
    return statement


def newest_of_integrations(
    connection: Connection, pairs: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], Publication]:
    """The newest publication of each (consumer id, provider id) pair."""
    wanted = list(set(pairs))
    if not wanted:
        return {}
    if connection.dialect.name == "postgresql":  # one round trip: the ids as an array, worked out once
        ids = sa.func.array(_newest_of_each_integration(wanted).scalar_subquery())
        rows = connection.execute(select_publications().where(pact_publications.c.id == sa.any_(ids)))
        return {(p.consumer_id, p.provider_id): p for p in map(publication_from_row, rows)}
    ids = connection.execute(_newest_of_each_integration(wanted)).scalars().all()
    return {(p.consumer_id, p.provider_id): p for p in publications_by_ids(connection, ids)}


def _labelled_heads(tag_names: Sequence[str] | None) -> sa.CompoundSelect:
    tag_heads = sa.select(latest_tag_pacts.c.pact_publication_id)
    if tag_names is not None:
        tag_heads = tag_heads.where(latest_tag_pacts.c.tag_name.in_(list(tag_names)))
    main_heads = (
        sa.select(latest_branch_pacts.c.pact_publication_id)
        .join(branches, branches.c.id == latest_branch_pacts.c.branch_id)
        .join(_main_owner, _main_owner.c.id == branches.c.pacticipant_id)
        .where(branches.c.name == _main_owner.c.main_branch)
    )
    live_versions = sa.union(
        sa.select(deployed_versions.c.version_id).where(deployed_versions.c.undeployed_at.is_(None)),
        sa.select(released_versions.c.version_id).where(released_versions.c.support_ended_at.is_(None)),
    )
    in_environments = sa.select(pact_publications.c.id).where(
        pact_publications.c.consumer_version_id.in_(live_versions.scalar_subquery())
    )
    return sa.union(_newest_of_each_integration(), tag_heads, main_heads, in_environments)


def labelled_heads_page(
    connection: Connection,
    *,
    pacticipant_ids: Sequence[int] | None,
    tag_names: Sequence[str] | None,
    limit: int,
    offset: int,
) -> list[Publication]:
    """A page of head publications (see the module docstring), ordered by consumer and provider
    name, newest consumer version first. `pacticipant_ids` narrows to pacts either side of which
    is one of them (a search); `tag_names` narrows the tag heads to those tags."""
    heads = _labelled_heads(tag_names).subquery()
    statement = (
        sa.select(pact_publications.c.id)
        .join(_consumers, _consumers.c.id == pact_publications.c.consumer_id)
        .join(_providers, _providers.c.id == pact_publications.c.provider_id)
        .where(pact_publications.c.id.in_(sa.select(heads.c[0])))
        .order_by(
            sa.func.lower(_consumers.c.name),
            sa.func.lower(_providers.c.name),
            pact_publications.c.consumer_version_id.desc(),
        )
        .limit(limit)
        .offset(offset)
    )
    if pacticipant_ids is not None:
        statement = statement.where(
            sa.or_(
                pact_publications.c.consumer_id.in_(list(pacticipant_ids) or [-1]),
                pact_publications.c.provider_id.in_(list(pacticipant_ids) or [-1]),
            )
        )
    ids = connection.execute(statement).scalars().all()
    found = {p.id: p for p in publications_by_ids(connection, ids)}
    return [found[i] for i in ids if i in found]


def newest_publication_ids(connection: Connection, pairs: Iterable[tuple[int, int]]) -> set[int]:
    """Which publications are the newest of their integration (to mark rows "latest")."""
    wanted = list(set(pairs))
    if not wanted:
        return set()
    return set(connection.execute(_newest_of_each_integration(wanted)).scalars())
