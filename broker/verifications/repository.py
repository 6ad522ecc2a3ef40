"""Queries for verification results and the latest result per pact version and provider version."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from broker.pacticipants.tables import pacticipants
from broker.pacts.tables import pact_contents, pact_versions
from broker.storage.lists import one_of_parameter
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
    dialect: str, on_branch: bool, with_tag: bool, before: bool, exclude_wip: bool, or_before: bool
) -> sa.Select[Any]:
    """One statement per combination of criteria, built once (pending checks run it per request)."""
    specific: list[Any] = []
    if on_branch:
        specific.append(
            sa.exists().where(
                branch_versions.c.version_id == verifications.c.provider_version_id,
                branch_versions.c.branch_id == sa.bindparam("branch_id"),
            )
        )
    if with_tag:
        tagged = tags.c.name == sa.bindparam("tag")
        specific.append(sa.exists().where(tags.c.version_id == verifications.c.provider_version_id, tagged))
    if before:
        specific.append(verifications.c.created_at < sa.bindparam("before", type_=verifications.c.created_at.type))
    if exclude_wip:
        specific.append(verifications.c.wip.is_(False))
    criteria: list[Any] = [
        one_of_parameter(dialect, verifications.c.pact_version_id, "pact_versions"),
        verifications.c.success.is_(True),
    ]
    if or_before:
        earlier = verifications.c.created_at < sa.bindparam("or_before", type_=verifications.c.created_at.type)
        criteria.append(sa.or_(sa.and_(*specific), earlier) if specific else earlier)
    else:
        criteria.extend(specific)
    return sa.select(verifications.c.pact_version_id).where(*criteria).distinct()


def successfully_verified(
    connection: Connection,
    pact_version_ids: Iterable[int],
    *,
    branch_id: int | None = None,
    tag: str | None = None,
    before: Any = None,
    exclude_wip: bool = False,
    or_before: Any = None,
) -> set[int]:
    """Which of these pact versions have a successful verification matching the criteria, or
    (with `or_before`) any successful verification made before that moment: one round trip for
    "verified by this branch, or before the branch existed"."""
    wanted = list(set(pact_version_ids))
    if not wanted:
        return set()
    statement = _verified_statement(
        connection.dialect.name,
        branch_id is not None,
        tag is not None,
        before is not None,
        exclude_wip,
        or_before is not None,
    )
    parameters = {"branch_id": branch_id, "tag": tag, "before": before, "or_before": or_before}
    used = {key: value for key, value in parameters.items() if value is not None}
    return {row.pact_version_id for row in connection.execute(statement, {"pact_versions": wanted, **used})}


def count(connection: Connection) -> int:
    return connection.execute(sa.select(sa.func.count()).select_from(verifications)).scalar_one()
