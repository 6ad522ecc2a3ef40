"""Work-in-progress pacts: new consumer branch and tag heads the provider has not yet verified.

Candidates are heads created since the given date (found through the head tables' created_at
index, so old history is never scanned); a candidate stops being WIP once the provider branch
(or tag) verifies it successfully while it was explicitly selected, or when another branch (tag)
did so before this one existed. Successes while it was included as WIP never count, so a WIP pact
stays WIP until it is selected explicitly (the official `wip_pacts_spec`). Explicitly selected
pacts are not repeated as WIP, and WIP ignores the consumer filter.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from broker.pacticipants.models import Pacticipant
from broker.pacts import repository
from broker.pacts.pending import verified_for_branch, verified_for_tag
from broker.pacts.selection import Selection
from broker.pacts.selectors import Selector
from broker.pacts.tables import latest_branch_pacts, latest_tag_pacts, pact_publications
from broker.versions.models import Branch
from broker.versions.tables import branches


@lru_cache(maxsize=1)
def _heads_since() -> sa.CompoundSelect:
    """Branch and tag heads for a provider created since a date: built once (the verifier asks on
    every build), with the provider and the date as parameters."""
    provider_id, since = sa.bindparam("provider_id"), sa.bindparam("since", type_=latest_branch_pacts.c.created_at.type)
    return sa.union_all(
        sa.select(
            latest_branch_pacts.c.pact_publication_id,
            pact_publications.c.consumer_id,
            pact_publications.c.pact_version_id,
            sa.select(branches.c.name)
            .where(branches.c.id == latest_branch_pacts.c.branch_id)
            .scalar_subquery()
            .label("name"),
            sa.literal("branch").label("kind"),
        )
        .join(pact_publications, pact_publications.c.id == latest_branch_pacts.c.pact_publication_id)
        .where(latest_branch_pacts.c.provider_id == provider_id, latest_branch_pacts.c.created_at >= since),
        sa.select(
            latest_tag_pacts.c.pact_publication_id,
            pact_publications.c.consumer_id,
            pact_publications.c.pact_version_id,
            latest_tag_pacts.c.tag_name,
            sa.literal("tag").label("kind"),
        )
        .join(pact_publications, pact_publications.c.id == latest_tag_pacts.c.pact_publication_id)
        .where(latest_tag_pacts.c.provider_id == provider_id, latest_tag_pacts.c.created_at >= since),
    )


def wip_candidates(
    connection: Connection, provider: Pacticipant, since: datetime, already_selected: set[tuple[int, int]]
) -> list[sa.Row]:
    """Branch and tag heads created since `since` that were not selected explicitly."""
    heads = connection.execute(_heads_since(), {"provider_id": provider.id, "since": since}).all()
    return [row for row in heads if (row.consumer_id, row.pact_version_id) not in already_selected]


def wip_selections(
    connection: Connection,
    provider: Pacticipant,
    since: datetime,
    branch_name: str | None,
    branch: Branch | None,
    provider_tags: Sequence[str],
    already_selected: set[tuple[int, int]],
    *,
    candidates: list[sa.Row] | None = None,
    verified_outside_wip: set[int] | None = None,
) -> list[Selection]:
    """`candidates` (from `wip_candidates`) and, for a branch, the contents it `verified_outside_wip`
    save their queries when the caller asked them already."""
    if not branch_name and not provider_tags:
        return []
    if candidates is None:
        candidates = wip_candidates(connection, provider, since, already_selected)
    if not candidates:
        return []
    ids = {row.pact_version_id for row in candidates}
    if branch_name:
        if verified_outside_wip is None:
            verified_outside_wip = verified_for_branch(connection, ids, branch, exclude_wip=True)
        still_wip = ids - verified_outside_wip
    else:
        still_wip = set()
        for tag in provider_tags:
            still_wip |= ids - verified_for_tag(connection, provider, ids, tag, exclude_wip=True)
    survivors = [row for row in candidates if row.pact_version_id in still_wip]
    publications = {p.id: p for p in repository.publications_by_ids(connection, [row[0] for row in survivors])}
    return [
        Selection(
            publications[row[0]],
            Selector(branch=row.name, latest=True) if row.kind == "branch" else Selector(tag=row.name, latest=True),
        )
        for row in survivors
    ]
