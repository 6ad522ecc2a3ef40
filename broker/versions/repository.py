"""Queries for versions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from broker.pacticipants.tables import pacticipants
from broker.storage.schema import utcnow
from broker.storage.upserts import insert_or_find
from broker.versions.models import Version
from broker.versions.tables import tags, versions

COLUMNS = (
    versions.c.id,
    versions.c.pacticipant_id,
    pacticipants.c.name.label("pacticipant_name"),
    versions.c.number,
    versions.c.build_url,
    versions.c.created_at,
    versions.c.updated_at,
)


def select_versions() -> sa.Select[Any]:
    return sa.select(*COLUMNS).join(pacticipants, pacticipants.c.id == versions.c.pacticipant_id)


def from_row(row: Any) -> Version:
    return Version(
        row.id,
        row.pacticipant_id,
        row.pacticipant_name,
        row.number,
        row.build_url,
        row.created_at,
        row.updated_at,
    )


def find(connection: Connection, pacticipant_id: int, number: str) -> Version | None:
    row = connection.execute(
        select_versions().where(versions.c.pacticipant_id == pacticipant_id, versions.c.number == number)
    ).first()
    return from_row(row) if row else None


def find_by_id(connection: Connection, version_id: int) -> Version | None:
    row = connection.execute(select_versions().where(versions.c.id == version_id)).first()
    return from_row(row) if row else None


def find_by_ids(connection: Connection, ids: Iterable[int]) -> dict[int, Version]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    found: dict[int, Version] = {}
    for start in range(0, len(wanted), 500):
        rows = connection.execute(select_versions().where(versions.c.id.in_(wanted[start : start + 500])))
        found.update({row.id: from_row(row) for row in rows})
    return found


def insert_if_missing(
    connection: Connection, pacticipant_id: int, pacticipant_name: str, number: str
) -> tuple[Version, bool]:
    """The version, created when missing (one round trip on PostgreSQL); True when created."""
    now = utcnow()
    row, created = insert_or_find(
        connection,
        versions,
        {"pacticipant_id": pacticipant_id, "number": number, "created_at": now, "updated_at": now},
        ["pacticipant_id", "number"],
        ["id", "build_url", "created_at", "updated_at"],
    )
    return Version(
        row.id, pacticipant_id, pacticipant_name, number, row.build_url, row.created_at, row.updated_at
    ), created


def update(connection: Connection, version_id: int, values: Mapping[str, Any]) -> Version:
    connection.execute(versions.update().where(versions.c.id == version_id).values(updated_at=utcnow(), **values))
    found = find_by_id(connection, version_id)
    assert found is not None
    return found


def delete(connection: Connection, version_id: int) -> None:
    connection.execute(versions.delete().where(versions.c.id == version_id))


def latest(connection: Connection, pacticipant_id: int) -> Version | None:
    row = connection.execute(
        select_versions().where(versions.c.pacticipant_id == pacticipant_id).order_by(versions.c.id.desc()).limit(1)
    ).first()
    return from_row(row) if row else None


def latest_with_tag(connection: Connection, pacticipant_id: int, tag: str) -> Version | None:
    latest_id = connection.execute(
        sa.select(sa.func.max(tags.c.version_id)).where(tags.c.pacticipant_id == pacticipant_id, tags.c.name == tag)
    ).scalar()
    return find_by_id(connection, latest_id) if latest_id else None


def with_tag(connection: Connection, pacticipant_id: int, tag: str) -> list[Version]:
    rows = connection.execute(
        select_versions()
        .join(tags, tags.c.version_id == versions.c.id)
        .where(tags.c.pacticipant_id == pacticipant_id, tags.c.name == tag)
        .order_by(versions.c.id)
    )
    return [from_row(row) for row in rows]


def page(connection: Connection, pacticipant_id: int, limit: int, offset: int) -> list[Version]:
    rows = connection.execute(
        select_versions()
        .where(versions.c.pacticipant_id == pacticipant_id)
        .order_by(versions.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [from_row(row) for row in rows]


def count_for(connection: Connection, pacticipant_id: int) -> int:
    return connection.execute(
        sa.select(sa.func.count()).select_from(versions).where(versions.c.pacticipant_id == pacticipant_id)
    ).scalar_one()


def count(connection: Connection) -> int:
    return connection.execute(sa.select(sa.func.count()).select_from(versions)).scalar_one()
