"""Queries for pact content, pact versions and publications."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from broker.deployments.tables import deployed_versions, environments, released_versions
from broker.integrations.tables import integrations
from broker.pacticipants.tables import pacticipants
from broker.pacts.models import PactVersion, Publication
from broker.pacts.tables import (
    latest_branch_pacts,
    latest_tag_pacts,
    pact_contents,
    pact_publications,
    pact_versions,
    superseded_pact_revisions,
)
from broker.storage.lists import one_of_parameter
from broker.storage.schema import utcnow
from broker.storage.upserts import insert_or_find, insert_returning_id
from broker.versions.tables import branch_versions, branches, tags, versions

consumers = pacticipants.alias("consumers")
providers = pacticipants.alias("providers")

_PUBLICATION_COLUMNS = (
    pact_publications.c.id,
    pact_publications.c.consumer_id,
    consumers.c.name.label("consumer_name"),
    pact_publications.c.provider_id,
    providers.c.name.label("provider_name"),
    pact_publications.c.consumer_version_id,
    versions.c.number.label("consumer_version_number"),
    pact_publications.c.pact_version_id,
    pact_contents.c.sha,
    pact_publications.c.revision_number,
    pact_publications.c.created_at,
    pact_publications.c.updated_at,
)


def select_publications() -> sa.Select[Any]:
    return (
        sa.select(*_PUBLICATION_COLUMNS)
        .join(consumers, consumers.c.id == pact_publications.c.consumer_id)
        .join(providers, providers.c.id == pact_publications.c.provider_id)
        .join(versions, versions.c.id == pact_publications.c.consumer_version_id)
        .join(pact_versions, pact_versions.c.id == pact_publications.c.pact_version_id)
        .join(pact_contents, pact_contents.c.id == pact_versions.c.content_id)
    )


def publication_from_row(row: Any) -> Publication:
    return Publication(
        row.id,
        row.consumer_id,
        row.consumer_name,
        row.provider_id,
        row.provider_name,
        row.consumer_version_id,
        row.consumer_version_number,
        row.pact_version_id,
        row.sha,
        row.revision_number,
        row.created_at,
        row.updated_at,
    )


def publications_where(connection: Connection, *criteria: Any, order: Any = None) -> list[Publication]:
    statement = select_publications().where(*criteria)
    statement = statement.order_by(order if order is not None else pact_publications.c.consumer_version_id)
    return [publication_from_row(row) for row in connection.execute(statement)]


@lru_cache(maxsize=4)
def _by_ids_statement(dialect: str) -> sa.Select[Any]:
    """Built once per dialect: selection runs it several times for every pacts-for-verification."""
    return (
        select_publications()
        .where(one_of_parameter(dialect, pact_publications.c.id, "ids"))
        .order_by(pact_publications.c.consumer_version_id)
    )


def publications_by_ids(connection: Connection, ids: Iterable[int]) -> list[Publication]:
    wanted = list(set(ids))
    if not wanted:
        return []
    rows = connection.execute(_by_ids_statement(connection.dialect.name), {"ids": wanted})
    return [publication_from_row(row) for row in rows]


def find_publication(connection: Connection, provider_id: int, consumer_version_id: int) -> Publication | None:
    found = publications_where(
        connection,
        pact_publications.c.provider_id == provider_id,
        pact_publications.c.consumer_version_id == consumer_version_id,
    )
    return found[0] if found else None


def latest_publication(connection: Connection, provider_id: int, consumer_id: int) -> Publication | None:
    latest_version_id = connection.execute(
        sa.select(sa.func.max(pact_publications.c.consumer_version_id)).where(
            pact_publications.c.provider_id == provider_id, pact_publications.c.consumer_id == consumer_id
        )
    ).scalar()
    if latest_version_id is None:
        return None
    return find_publication(connection, provider_id, latest_version_id)


def latest_publication_ids_per_integration(
    connection: Connection, provider_id: int | None = None, consumer_id: int | None = None
) -> list[int]:
    """The newest publication of every integration, one index probe per integration."""
    newest_version = (
        sa.select(sa.func.max(pact_publications.c.consumer_version_id))
        .where(
            pact_publications.c.provider_id == integrations.c.provider_id,
            pact_publications.c.consumer_id == integrations.c.consumer_id,
        )
        .scalar_subquery()
    )
    statement = sa.select(integrations.c.provider_id, newest_version.label("version_id"))
    if provider_id is not None:
        statement = statement.where(integrations.c.provider_id == provider_id)
    if consumer_id is not None:
        statement = statement.where(integrations.c.consumer_id == consumer_id)
    pairs = [(row.provider_id, row.version_id) for row in connection.execute(statement) if row.version_id]
    if not pairs:
        return []
    rows = connection.execute(
        sa.select(pact_publications.c.id).where(
            sa.tuple_(pact_publications.c.provider_id, pact_publications.c.consumer_version_id).in_(pairs)
        )
    )
    return [row.id for row in rows]


def _main_head_ids(provider_id: Any) -> sa.Select[Any]:
    """The ids of the provider's newest publication from each consumer's main branch (the heads kept on write)."""
    return (
        sa.select(latest_branch_pacts.c.pact_publication_id)
        .join(branches, branches.c.id == latest_branch_pacts.c.branch_id)
        .join(
            consumers,
            sa.and_(consumers.c.id == branches.c.pacticipant_id, consumers.c.main_branch == branches.c.name),
        )
        .where(latest_branch_pacts.c.provider_id == provider_id)
    )


def main_branch_heads(
    connection: Connection, provider_id: int, consumer_ids: Sequence[int] | None
) -> list[Publication]:
    """The newest publication from each consumer's main branch, in one query over the heads."""
    head_ids = _main_head_ids(provider_id)
    if consumer_ids is not None:
        head_ids = head_ids.where(latest_branch_pacts.c.consumer_id.in_(list(consumer_ids)))
    if connection.dialect.name == "postgresql":
        # one round trip: the heads' ids as an array, worked out once before the publications are
        # looked up by primary key (as a join or IN, the plan scans every publication)
        ids = sa.func.array(head_ids.scalar_subquery())
        statement = select_publications().where(pact_publications.c.id == sa.any_(ids))
        rows = connection.execute(statement.order_by(pact_publications.c.consumer_version_id))
        return [publication_from_row(row) for row in rows]
    # SQLite: two statements, in process (no round trip to save)
    return publications_by_ids(connection, connection.execute(head_ids).scalars())


@lru_cache(maxsize=32)
def _in_environments_statement(
    dialect: str, kinds: tuple[str, ...], in_one_environment: bool, for_some_consumers: bool
) -> Any:
    """Built once per shape: every pacts-for-verification with deployed/released selectors runs it.

    The live records (a few rows) are gathered first and the publications joined once: a union of
    two whole joins cost PostgreSQL more to plan (about 4 ms at the benchmark's scale) than to run."""
    parts = []
    for kind in kinds:
        records = deployed_versions if kind == "deployed" else released_versions
        live = records.c.undeployed_at.is_(None) if kind == "deployed" else records.c.support_ended_at.is_(None)
        part = sa.select(records.c.version_id, records.c.environment_id, sa.literal(kind).label("kind")).where(live)
        if in_one_environment:
            part = part.where(records.c.environment_id == sa.bindparam("environment_id"))
        parts.append(part)
    records_live = (parts[0] if len(parts) == 1 else sa.union_all(*parts)).subquery("live")
    statement = (
        select_publications()
        .add_columns(environments.c.name.label("environment_name"), records_live.c.kind)
        .join(records_live, records_live.c.version_id == pact_publications.c.consumer_version_id)
        .join(environments, environments.c.id == records_live.c.environment_id)
        .where(pact_publications.c.provider_id == sa.bindparam("provider_id"))
    )
    if for_some_consumers:
        statement = statement.where(one_of_parameter(dialect, pact_publications.c.consumer_id, "consumer_ids"))
    return statement


def publications_in_environments(
    connection: Connection,
    provider_id: int,
    *,
    kinds: Sequence[str],
    environment_id: int | None,
    consumer_ids: Sequence[int] | None,
) -> list[tuple[Publication, str, str]]:
    """Publications for the provider by consumer versions currently "deployed" and/or "released"
    (and supported), anywhere or in one environment: (publication, environment name, kind)."""
    statement = _in_environments_statement(
        connection.dialect.name, tuple(kinds), environment_id is not None, consumer_ids is not None
    )
    parameters: dict[str, Any] = {"provider_id": provider_id}
    if environment_id is not None:
        parameters["environment_id"] = environment_id
    if consumer_ids is not None:
        parameters["consumer_ids"] = list(consumer_ids)
    return _live_publications(connection.execute(statement, parameters))


def _live_publications(rows: Iterable[Any]) -> list[tuple[Publication, str, str]]:
    """(publication, environment name, kind) rows in consumer version order, each once."""
    seen: set[tuple[int, str, str]] = set()
    found = []
    for row in sorted(rows, key=lambda row: (row.consumer_version_id, row.environment_name)):
        key = (row.id, row.environment_name, row.kind)
        if key not in seen:
            seen.add(key)
            found.append((publication_from_row(row), row.environment_name, row.kind))
    return found


def main_heads_and_live(
    connection: Connection, provider_id: int
) -> tuple[list[Publication], list[tuple[Publication, str, str]]]:
    """PostgreSQL: `main_branch_heads(provider_id, None)` and `publications_in_environments` of
    everything deployed or released, in one round trip: the verifiers' usual selectors
    (`mainBranch` and `deployedOrReleased`) ask both on every call."""
    main: list[Publication] = []
    live = []
    for row in connection.execute(_main_heads_and_live_statement(), {"provider_id": provider_id}):
        if row.kind == "main":
            main.append(publication_from_row(row))
        else:
            live.append(row)
    return sorted(main, key=lambda p: p.consumer_version_id), _live_publications(live)


@lru_cache(maxsize=1)
def _main_heads_and_live_statement() -> Any:
    head_ids = _main_head_ids(sa.bindparam("provider_id"))
    main = (
        select_publications()
        .add_columns(
            sa.cast(sa.null(), environments.c.name.type).label("environment_name"), sa.literal("main").label("kind")
        )
        .where(pact_publications.c.id == sa.any_(sa.func.array(head_ids.scalar_subquery())))
    )
    live = _in_environments_statement("postgresql", ("deployed", "released"), False, False)
    return sa.union_all(main, live)


def latest_publication_ids_for_tag(
    connection: Connection, provider_id: int, tag: str, consumer_ids: Sequence[int] | None = None
) -> list[int]:
    statement = sa.select(latest_tag_pacts.c.pact_publication_id).where(
        latest_tag_pacts.c.provider_id == provider_id, latest_tag_pacts.c.tag_name == tag
    )
    if consumer_ids is not None:
        statement = statement.where(latest_tag_pacts.c.consumer_id.in_(list(consumer_ids)))
    return [row.pact_publication_id for row in connection.execute(statement)]


def publications_with_tag(
    connection: Connection, provider_id: int, tag: str, consumer_id: int | None = None
) -> list[Publication]:
    criteria = [
        pact_publications.c.provider_id == provider_id,
        pact_publications.c.consumer_version_id.in_(sa.select(tags.c.version_id).where(tags.c.name == tag)),
    ]
    if consumer_id is not None:
        criteria.append(pact_publications.c.consumer_id == consumer_id)
    return publications_where(connection, *criteria)


def publications_on_branch(
    connection: Connection, provider_id: int, branch_ids: Sequence[int], limit: int = 1000
) -> list[Publication]:
    if not branch_ids:
        return []
    statement = (
        select_publications()
        .where(
            pact_publications.c.provider_id == provider_id,
            pact_publications.c.consumer_version_id.in_(
                sa.select(branch_versions.c.version_id).where(branch_versions.c.branch_id.in_(list(branch_ids)))
            ),
        )
        .order_by(pact_publications.c.consumer_version_id.desc())
        .limit(limit)
    )
    return [publication_from_row(row) for row in connection.execute(statement)]


def publications_of_integration(
    connection: Connection, provider_id: int, consumer_id: int, limit: int, offset: int
) -> list[Publication]:
    statement = (
        select_publications()
        .where(pact_publications.c.provider_id == provider_id, pact_publications.c.consumer_id == consumer_id)
        .order_by(pact_publications.c.consumer_version_id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [publication_from_row(row) for row in connection.execute(statement)]


def latest_publication_of_pact_version(connection: Connection, pact_version_id: int) -> Publication | None:
    statement = (
        select_publications()
        .where(pact_publications.c.pact_version_id == pact_version_id)
        .order_by(pact_publications.c.consumer_version_id.desc())
        .limit(1)
    )
    row = connection.execute(statement).first()
    return publication_from_row(row) if row else None


def previous_publication(connection: Connection, publication: Publication) -> Publication | None:
    statement = (
        select_publications()
        .where(
            pact_publications.c.provider_id == publication.provider_id,
            pact_publications.c.consumer_id == publication.consumer_id,
            pact_publications.c.consumer_version_id < publication.consumer_version_id,
        )
        .order_by(pact_publications.c.consumer_version_id.desc())
        .limit(1)
    )
    row = connection.execute(statement).first()
    return publication_from_row(row) if row else None


def previous_pact_version_id(
    connection: Connection, consumer_id: int, provider_id: int, consumer_version_id: int
) -> int | None:
    """The pact version of the pair's publication for the newest consumer version before this one:
    one index probe on one table (the full previous publication joins five more, and planning
    that cost a publish more than running it)."""
    return connection.execute(
        sa.select(pact_publications.c.pact_version_id)
        .where(
            pact_publications.c.provider_id == provider_id,
            pact_publications.c.consumer_id == consumer_id,
            pact_publications.c.consumer_version_id < consumer_version_id,
        )
        .order_by(pact_publications.c.consumer_version_id.desc())
        .limit(1)
    ).scalar()


# --- content and pact versions -------------------------------------------------------------------


def content_id_for(connection: Connection, sha: str, text: Callable[[], str]) -> int:
    """The content row for this SHA, stored (the JSON `text()`) when new. SQLite looks first, so
    an existing SHA costs no serialising; PostgreSQL inserts-or-selects in one round trip."""
    if connection.dialect.name != "postgresql":
        existing = connection.execute(sa.select(pact_contents.c.id).where(pact_contents.c.sha == sha)).scalar()
        if existing is not None:
            return existing
    row, _ = insert_or_find(
        connection,
        pact_contents,
        {"sha": sha, "content": text(), "created_at": utcnow()},
        ["sha"],
        ["id"],
    )
    return row.id


def pact_version_id_for(
    connection: Connection, consumer_id: int, provider_id: int, content_id: int
) -> tuple[int, bool]:
    """The pact version of this content between the pair, and whether it was created just now."""
    row, created = insert_or_find(
        connection,
        pact_versions,
        {"consumer_id": consumer_id, "provider_id": provider_id, "content_id": content_id, "created_at": utcnow()},
        ["consumer_id", "provider_id", "content_id"],
        ["id"],
    )
    return row.id, created


_PACT_VERSION_COLUMNS = (
    pact_versions.c.id,
    pact_versions.c.consumer_id,
    consumers.c.name.label("consumer_name"),
    pact_versions.c.provider_id,
    providers.c.name.label("provider_name"),
    pact_contents.c.sha,
    pact_versions.c.created_at,
)


def _select_pact_versions() -> sa.Select[Any]:
    return (
        sa.select(*_PACT_VERSION_COLUMNS)
        .join(consumers, consumers.c.id == pact_versions.c.consumer_id)
        .join(providers, providers.c.id == pact_versions.c.provider_id)
        .join(pact_contents, pact_contents.c.id == pact_versions.c.content_id)
    )


def find_pact_version(connection: Connection, provider_id: int, consumer_id: int, sha: str) -> PactVersion | None:
    row = connection.execute(
        _select_pact_versions().where(
            pact_versions.c.provider_id == provider_id,
            pact_versions.c.consumer_id == consumer_id,
            pact_contents.c.sha == sha,
        )
    ).first()
    return PactVersion(*row) if row else None


def find_pact_version_by_id(connection: Connection, pact_version_id: int) -> PactVersion | None:
    row = connection.execute(_select_pact_versions().where(pact_versions.c.id == pact_version_id)).first()
    return PactVersion(*row) if row else None


def document_of(connection: Connection, pact_version_id: int) -> dict[str, Any]:
    text = connection.execute(
        sa.select(pact_contents.c.content)
        .join(pact_versions, pact_versions.c.content_id == pact_contents.c.id)
        .where(pact_versions.c.id == pact_version_id)
    ).scalar_one()
    return json.loads(text)


# --- writes --------------------------------------------------------------------------------------


def insert_publication(
    connection: Connection,
    consumer_id: int,
    provider_id: int,
    consumer_version_id: int,
    pact_version_id: int,
    now: datetime,
) -> int | None:
    """The new publication's id, or None when this version already published for the provider."""
    return insert_returning_id(
        connection,
        pact_publications,
        {
            "consumer_id": consumer_id,
            "provider_id": provider_id,
            "consumer_version_id": consumer_version_id,
            "pact_version_id": pact_version_id,
            "revision_number": 1,
            "created_at": now,
            "updated_at": now,
        },
        ["consumer_version_id", "provider_id"],
    )


def replace_publication_content(connection: Connection, publication: Publication, pact_version_id: int) -> None:
    """The publication's next revision; the one it replaces is kept for the matrix's every-row view."""
    connection.execute(
        superseded_pact_revisions.insert().values(
            pact_publication_id=publication.id,
            revision_number=publication.revision_number,
            pact_version_id=publication.pact_version_id,
            created_at=revision_created_at(publication),
        )
    )
    connection.execute(
        pact_publications.update()
        .where(pact_publications.c.id == publication.id)
        .values(
            pact_version_id=pact_version_id,
            revision_number=publication.revision_number + 1,
            updated_at=utcnow(),
        )
    )


def revision_created_at(publication: Publication) -> datetime:
    """When the publication's current revision was published (a revision replaces in place)."""
    if publication.revision_number > 1 and publication.updated_at is not None:
        return publication.updated_at
    return publication.created_at


def delete_publication(connection: Connection, publication_id: int) -> None:
    connection.execute(pact_publications.delete().where(pact_publications.c.id == publication_id))


def count_publications(connection: Connection) -> int:
    return connection.execute(sa.select(sa.func.count()).select_from(pact_publications)).scalar_one()


def count_contents(connection: Connection) -> int:
    return connection.execute(sa.select(sa.func.count()).select_from(pact_contents)).scalar_one()
