"""Queries for verification results and the latest result per pact version and provider version."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from broker.integrations.tables import integrations
from broker.pacticipants.tables import pacticipants
from broker.pacts.tables import pact_contents, pact_publications, pact_versions
from broker.storage.lists import one_of, one_of_parameter
from broker.storage.upserts import upsert_if_newer
from broker.verifications.models import Verification
from broker.verifications.tables import latest_verifications, verifications
from broker.versions.tables import branch_versions, tags, versions

_consumers = pacticipants.alias("verification_consumers")
_providers = pacticipants.alias("verification_providers")


def _select() -> sa.Select[Any]:
    return (
        sa.select(
            verifications.c.id,
            verifications.c.pact_version_id,
            pact_contents.c.sha,
            verifications.c.consumer_id,
            _consumers.c.name.label("consumer_name"),
            verifications.c.provider_id,
            _providers.c.name.label("provider_name"),
            verifications.c.provider_version_id,
            versions.c.number.label("provider_version_number"),
            verifications.c.success,
            verifications.c.build_url,
            verifications.c.test_results,
            verifications.c.verified_by,
            verifications.c.wip,
            verifications.c.pact_pending,
            verifications.c.consumer_version_selectors,
            verifications.c.created_at,
        )
        .join(pact_versions, pact_versions.c.id == verifications.c.pact_version_id)
        .join(pact_contents, pact_contents.c.id == pact_versions.c.content_id)
        .join(_consumers, _consumers.c.id == verifications.c.consumer_id)
        .join(_providers, _providers.c.id == verifications.c.provider_id)
        .join(versions, versions.c.id == verifications.c.provider_version_id)
    )


def _from_row(row: Any) -> Verification:
    values = list(row)
    values[9] = bool(values[9])
    values[13] = bool(values[13])
    return Verification(*values)


def where(connection: Connection, *criteria: Any, limit: int | None = None) -> list[Verification]:
    statement = _select().where(*criteria).order_by(verifications.c.id.desc())
    if limit is not None:
        statement = statement.limit(limit)
    return [_from_row(row) for row in connection.execute(statement)]


def find(connection: Connection, verification_id: int) -> Verification | None:
    found = where(connection, verifications.c.id == verification_id)
    return found[0] if found else None


def find_by_ids(connection: Connection, ids: Iterable[int]) -> dict[int, Verification]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    return {v.id: v for v in where(connection, verifications.c.id.in_(wanted))}


def latest_for_pact_version(connection: Connection, pact_version_id: int) -> Verification | None:
    found = where(connection, verifications.c.pact_version_id == pact_version_id, limit=1)
    return found[0] if found else None


def insert(connection: Connection, values: Mapping[str, Any]) -> int:
    result = connection.execute(verifications.insert().values(**values).returning(verifications.c.id))
    verification_id = result.scalar_one()
    upsert_if_newer(
        connection,
        latest_verifications,
        {
            "pact_version_id": values["pact_version_id"],
            "provider_version_id": values["provider_version_id"],
            "verification_id": verification_id,
            "success": values["success"],
        },
        ["pact_version_id", "provider_version_id"],
        "verification_id",
    )
    return verification_id


@lru_cache(maxsize=64)
def _verified_statement(
    dialect: str, scope: str, exclude_wip: bool, bounded: bool, with_wip: bool = False
) -> sa.Select[Any]:
    """One statement per shape of the question, built once (pending and WIP checks run it per request).

    `scope` "any": by any provider version. "branch" ("tag"): by a version on the branch `:branch_id`
    (with the tag `:tag`), or by a version on another branch (with another tag) made before
    `:before` when `bounded`, at any time otherwise: the official rule that lets a new branch
    inherit "not pending", asked in one round trip.

    The provider version's branches (tags) are joined, each verification probing them by version:
    as `EXISTS (...) OR EXISTS (...)` PostgreSQL hashed every version of the branch first, a
    cost that grew with the branch's history (8,000 versions at the benchmark's full data).
    """
    criteria: list[Any] = [
        one_of_parameter(dialect, verifications.c.pact_version_id, "pact_versions"),
        verifications.c.success.is_(True),
    ]
    if exclude_wip:
        criteria.append(verifications.c.wip.is_(False))
    columns = (verifications.c.pact_version_id, verifications.c.wip) if with_wip else (verifications.c.pact_version_id,)
    if scope == "any":
        return sa.select(*columns).where(*criteria).distinct()
    if scope == "branch":
        table, column, key, parameter = (
            branch_versions,
            branch_versions.c.branch_id,
            branch_versions.c.version_id,
            "branch_id",
        )
    else:
        table, column, key, parameter = tags, tags.c.name, tags.c.version_id, "tag"
    here = column == sa.bindparam(parameter)
    elsewhere: Any = column != sa.bindparam(parameter)
    if bounded:
        earlier = verifications.c.created_at < sa.bindparam("before", type_=verifications.c.created_at.type)
        elsewhere = sa.and_(elsewhere, earlier)
    criteria.append(sa.or_(here, elsewhere))
    joined = verifications.join(table, key == verifications.c.provider_version_id)
    return sa.select(*columns).select_from(joined).where(*criteria).distinct()


def successfully_verified(
    connection: Connection,
    pact_version_ids: Iterable[int],
    *,
    branch_id: int | None = None,
    tag: str | None = None,
    before: Any = None,
    exclude_wip: bool = False,
) -> set[int]:
    """Which of these pact versions have a successful verification: by any provider version; or,
    with `branch_id` (`tag`), by a version on that branch (with that tag) or by one on another
    branch (with another tag) made before `before` (at any time when None). `branch_id` 0 names
    no branch, so it asks "by a version on any branch"."""
    wanted = list(set(pact_version_ids))
    if not wanted:
        return set()
    scope = "branch" if branch_id is not None else "tag" if tag is not None else "any"
    statement = _verified_statement(connection.dialect.name, scope, exclude_wip, before is not None)
    parameters = {"branch_id": branch_id, "tag": tag, "before": before}
    used = {key: value for key, value in parameters.items() if value is not None}
    return {row.pact_version_id for row in connection.execute(statement, {"pact_versions": wanted, **used})}


def successfully_verified_by_branch(
    connection: Connection, pact_version_ids: Iterable[int], *, branch_id: int, before: Any = None
) -> tuple[set[int], set[int]]:
    """`successfully_verified` for a branch asked once for both answers a pacts-for-verification
    needs: (verified counting every success, verified counting only successes made outside WIP).
    The pending check and the WIP check then cost one round trip instead of two."""
    wanted = list(set(pact_version_ids))
    if not wanted:
        return set(), set()
    statement = _verified_statement(connection.dialect.name, "branch", False, before is not None, True)
    parameters: dict[str, Any] = {"pact_versions": wanted, "branch_id": branch_id}
    if before is not None:
        parameters["before"] = before
    every, outside_wip = set(), set()
    for row in connection.execute(statement, parameters):
        every.add(row.pact_version_id)
        if not row.wip:
            outside_wip.add(row.pact_version_id)
    return every, outside_wip


def count(connection: Connection) -> int:
    return connection.execute(sa.select(sa.func.count()).select_from(verifications)).scalar_one()


def latest_for_pact_versions(connection: Connection, pact_version_ids: Iterable[int]) -> dict[int, Verification]:
    """The newest verification of each pact version (content), by anyone, in one query."""
    wanted = list(set(pact_version_ids))
    if not wanted:
        return {}
    newest = (
        sa.select(sa.func.max(verifications.c.id))
        .where(one_of(connection, verifications.c.pact_version_id, wanted))
        .group_by(verifications.c.pact_version_id)
    )
    return {v.pact_version_id: v for v in where(connection, verifications.c.id.in_(newest))}


def history_of_pact_version(connection: Connection, pact_version_id: int, limit: int) -> list[Verification]:
    """Every verification of one content, newest first (bounded by `limit`)."""
    return where(connection, verifications.c.pact_version_id == pact_version_id, limit=limit)


def _newest_for_pair(
    consumer_id: Any, provider_id: Any, consumer_tag: str | None = None, provider_tag: str | None = None
) -> sa.Select[Any]:
    """The newest verification id between a pair, walking the (provider_id, created_at) index backwards."""
    statement = sa.select(verifications.c.id).where(
        verifications.c.provider_id == provider_id, verifications.c.consumer_id == consumer_id
    )
    if consumer_tag is not None:
        tagged_contents = (
            sa.select(pact_publications.c.pact_version_id)
            .join(tags, tags.c.version_id == pact_publications.c.consumer_version_id)
            .where(
                pact_publications.c.consumer_id == consumer_id,
                pact_publications.c.provider_id == provider_id,
                tags.c.name == consumer_tag,
            )
        )
        statement = statement.where(verifications.c.pact_version_id.in_(tagged_contents))
    if provider_tag is not None:
        statement = statement.where(
            sa.exists().where(tags.c.version_id == verifications.c.provider_version_id, tags.c.name == provider_tag)
        )
    return statement.order_by(verifications.c.created_at.desc(), verifications.c.id.desc()).limit(1)


def latest_for_integration(
    connection: Connection,
    consumer_id: int,
    provider_id: int,
    *,
    consumer_tag: str | None = None,
    provider_tag: str | None = None,
) -> Verification | None:
    """The newest verification between a consumer and a provider, of any content; optionally
    only of pacts from consumer versions with a tag and by provider versions with a tag (badges)."""
    newest = _newest_for_pair(consumer_id, provider_id, consumer_tag, provider_tag).scalar_subquery()
    found = where(connection, verifications.c.id == newest)
    return found[0] if found else None


def latest_for_integrations(
    connection: Connection, pairs: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], Verification]:
    """The newest verification of each (consumer id, provider id) pair, one index probe per pair."""
    wanted = list(set(pairs))
    if not wanted:
        return {}
    newest = (
        _newest_for_pair(integrations.c.consumer_id, integrations.c.provider_id)
        .correlate(integrations)
        .scalar_subquery()
    )
    newest_ids = sa.select(newest).where(sa.tuple_(integrations.c.consumer_id, integrations.c.provider_id).in_(wanted))
    if connection.dialect.name == "postgresql":  # one round trip: the ids as an array, worked out once
        statement = _select().where(verifications.c.id == sa.any_(sa.func.array(newest_ids.scalar_subquery())))
        found = {row.id: _from_row(row) for row in connection.execute(statement)}
    else:  # SQLite, in process: two statements cost no round trip
        found = find_by_ids(connection, [row[0] for row in connection.execute(newest_ids) if row[0] is not None])
    return {(v.consumer_id, v.provider_id): v for v in found.values()}
