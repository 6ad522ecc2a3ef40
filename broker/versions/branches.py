"""Queries for branches and the versions on them.

A branch's head is its newest version: `max(version_id)` over the (branch_id, version_id)
unique index, one index probe whatever the branch's length.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from broker.pacticipants.models import Pacticipant
from broker.pacticipants.tables import pacticipants
from broker.storage.lists import one_of_parameter
from broker.storage.schema import utcnow
from broker.storage.upserts import insert_ignoring_conflict, insert_returning_id
from broker.versions import repository as versions_repository
from broker.versions.models import Branch, BranchVersion, Reference, Version
from broker.versions.tables import branch_versions, branches, versions

_COLUMNS = (
    branches.c.id,
    branches.c.pacticipant_id,
    pacticipants.c.name.label("pacticipant_name"),
    branches.c.name,
    branches.c.created_at,
    branches.c.updated_at,
)


def _select() -> sa.Select[Any]:
    return sa.select(*_COLUMNS).join(pacticipants, pacticipants.c.id == branches.c.pacticipant_id)


def _from_row(row: Any) -> Branch:
    return Branch(row.id, row.pacticipant_id, row.pacticipant_name, row.name, row.created_at, row.updated_at)


@lru_cache(maxsize=1)
def _find_statement() -> sa.Select[Any]:
    """Built once: every publish on a branch looks its branch up."""
    return _select().where(
        branches.c.pacticipant_id == sa.bindparam("pacticipant_id"), branches.c.name == sa.bindparam("name")
    )


def find(connection: Connection, pacticipant_id: int, name: str) -> Branch | None:
    row = connection.execute(_find_statement(), {"pacticipant_id": pacticipant_id, "name": name}).first()
    return _from_row(row) if row else None


def pacticipant_with_branch(
    connection: Connection, pacticipant_name: str, branch_name: str
) -> tuple[Pacticipant, Branch | None] | None:
    """The pacticipant and its branch of that name (None if it has none) in one round trip;
    None if there is no such pacticipant (pacts for verification ask both on every call)."""
    row = connection.execute(
        sa.select(
            *pacticipants.c,
            branches.c.id.label("branch_id"),
            branches.c.name.label("branch_name"),
            branches.c.created_at.label("branch_created_at"),
            branches.c.updated_at.label("branch_updated_at"),
        )
        .outerjoin(branches, sa.and_(branches.c.pacticipant_id == pacticipants.c.id, branches.c.name == branch_name))
        .where(pacticipants.c.name == pacticipant_name)
    ).first()
    if row is None:
        return None
    pacticipant = Pacticipant(*row[: len(pacticipants.c)])
    if row.branch_id is None:
        return pacticipant, None
    branch = Branch(
        row.branch_id, pacticipant.id, pacticipant.name, row.branch_name, row.branch_created_at, row.branch_updated_at
    )
    return pacticipant, branch


def find_by_id(connection: Connection, branch_id: int) -> Branch | None:
    row = connection.execute(_select().where(branches.c.id == branch_id)).first()
    return _from_row(row) if row else None


def list_for(connection: Connection, pacticipant_id: int, limit: int, offset: int, query: str | None) -> list[Branch]:
    statement = _select().where(branches.c.pacticipant_id == pacticipant_id)
    if query:
        statement = statement.where(branches.c.name.contains(query, autoescape=True))
    rows = connection.execute(statement.order_by(branches.c.id.desc()).limit(limit).offset(offset))
    return [_from_row(row) for row in rows]


def insert_if_missing(connection: Connection, pacticipant: Pacticipant, name: str) -> Branch:
    existing = find(connection, pacticipant.id, name)
    if existing is not None:
        return existing
    now = utcnow()
    new_id = insert_returning_id(
        connection,
        branches,
        {"pacticipant_id": pacticipant.id, "name": name, "created_at": now, "updated_at": now},
        ["pacticipant_id", "name"],
    )
    if new_id is not None:
        return Branch(new_id, pacticipant.id, pacticipant.name, name, now, now)
    created = find(connection, pacticipant.id, name)  # a concurrent writer got there first
    assert created is not None
    return created


def add_version(connection: Connection, branch: Branch, version: Version) -> bool:
    """Put the version on the branch; True when it was not there yet."""
    return insert_ignoring_conflict(
        connection,
        branch_versions,
        {
            "branch_id": branch.id,
            "version_id": version.id,
            "pacticipant_id": branch.pacticipant_id,
            "created_at": utcnow(),
        },
        ["branch_id", "version_id"],
    )


def remove_version(connection: Connection, branch: Branch, version: Version) -> None:
    connection.execute(
        branch_versions.delete().where(
            branch_versions.c.branch_id == branch.id, branch_versions.c.version_id == version.id
        )
    )


def find_branch_version(connection: Connection, branch: Branch, version: Version) -> BranchVersion | None:
    created_at = connection.execute(
        sa.select(branch_versions.c.created_at).where(
            branch_versions.c.branch_id == branch.id, branch_versions.c.version_id == version.id
        )
    ).scalar()
    if created_at is None:
        return None
    return BranchVersion(branch, version, created_at, head_version_id(connection, branch.id) == version.id)


def delete(connection: Connection, branch_id: int) -> None:
    connection.execute(branches.delete().where(branches.c.id == branch_id))


def head_version_id(connection: Connection, branch_id: int) -> int | None:
    return connection.execute(
        sa.select(sa.func.max(branch_versions.c.version_id)).where(branch_versions.c.branch_id == branch_id)
    ).scalar()


def head(connection: Connection, branch_id: int) -> Version | None:
    version_id = head_version_id(connection, branch_id)
    return versions_repository.find_by_id(connection, version_id) if version_id else None


def versions_on(connection: Connection, branch_id: int, limit: int, offset: int) -> list[Version]:
    rows = connection.execute(
        sa.select(*versions_repository.COLUMNS)
        .join(pacticipants, pacticipants.c.id == versions.c.pacticipant_id)
        .join(branch_versions, branch_versions.c.version_id == versions.c.id)
        .where(branch_versions.c.branch_id == branch_id)
        .order_by(versions.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [versions_repository.from_row(row) for row in rows]


_bv = branch_versions.alias("bv")
_same_branch = branch_versions.alias("same_branch")


@lru_cache(maxsize=4)
def _branches_of_statement(dialect: str) -> sa.Select[Any]:
    return (
        sa.select(
            _bv.c.version_id,
            branches.c.name,
            (
                _bv.c.version_id
                == sa.select(sa.func.max(_same_branch.c.version_id))
                .where(_same_branch.c.branch_id == _bv.c.branch_id)
                .scalar_subquery()
            ).label("latest"),
        )
        .join(branches, branches.c.id == _bv.c.branch_id)
        .where(one_of_parameter(dialect, _bv.c.version_id, "version_ids"))
        .order_by(_bv.c.id)
    )


def branches_of(connection: Connection, version_ids: Iterable[int]) -> dict[int, list[Reference]]:
    """Branch names of each version, each marked latest when the version is that branch's head."""
    wanted = list(set(version_ids))
    result: dict[int, list[Reference]] = {vid: [] for vid in wanted}
    if not wanted:
        return result
    rows = connection.execute(_branches_of_statement(connection.dialect.name), {"version_ids": wanted})
    for row in rows:
        result[row.version_id].append(Reference(row.name, bool(row.latest)))
    return result


def count(connection: Connection) -> int:
    return connection.execute(sa.select(sa.func.count()).select_from(branches)).scalar_one()
