"""Queries for pacticipants and labels."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from broker.pacticipants.models import Label, Pacticipant
from broker.pacticipants.tables import labels, pacticipants
from broker.storage.schema import utcnow
from broker.storage.upserts import insert_ignoring_conflict

_COLUMNS = (
    pacticipants.c.id,
    pacticipants.c.name,
    pacticipants.c.display_name,
    pacticipants.c.main_branch,
    pacticipants.c.repository_url,
    pacticipants.c.repository_name,
    pacticipants.c.repository_namespace,
    pacticipants.c.created_at,
    pacticipants.c.updated_at,
)


def from_row(row: Any) -> Pacticipant:
    """Rows selected with every pacticipants column, in table order."""
    return Pacticipant(*row)


def find_by_name(connection: Connection, name: str) -> Pacticipant | None:
    row = connection.execute(sa.select(*_COLUMNS).where(pacticipants.c.name == name)).first()
    return from_row(row) if row else None


def find_by_names(connection: Connection, names: Iterable[str]) -> dict[str, Pacticipant]:
    wanted = list(set(names))
    if not wanted:
        return {}
    rows = connection.execute(sa.select(*_COLUMNS).where(pacticipants.c.name.in_(wanted)))
    return {row.name: from_row(row) for row in rows}


def find_by_id(connection: Connection, pacticipant_id: int) -> Pacticipant | None:
    row = connection.execute(sa.select(*_COLUMNS).where(pacticipants.c.id == pacticipant_id)).first()
    return from_row(row) if row else None


def find_by_ids(connection: Connection, ids: Iterable[int]) -> dict[int, Pacticipant]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = connection.execute(sa.select(*_COLUMNS).where(pacticipants.c.id.in_(wanted)))
    return {row.id: from_row(row) for row in rows}


def list_all(connection: Connection, limit: int | None = None, offset: int = 0) -> list[Pacticipant]:
    query = sa.select(*_COLUMNS).order_by(pacticipants.c.name).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [from_row(row) for row in connection.execute(query)]


def count(connection: Connection) -> int:
    return connection.execute(sa.select(sa.func.count()).select_from(pacticipants)).scalar_one()


def insert(connection: Connection, values: Mapping[str, Any]) -> Pacticipant:
    now = utcnow()
    result = connection.execute(
        pacticipants.insert().values(created_at=now, updated_at=now, **values).returning(*_COLUMNS)
    )
    return from_row(result.one())


def insert_if_missing(connection: Connection, name: str, display_name: str | None) -> Pacticipant:
    now = utcnow()
    insert_ignoring_conflict(
        connection,
        pacticipants,
        {"name": name, "display_name": display_name, "created_at": now, "updated_at": now},
        ["name"],
    )
    found = find_by_name(connection, name)
    assert found is not None
    return found


def update(connection: Connection, pacticipant_id: int, values: Mapping[str, Any]) -> Pacticipant:
    connection.execute(
        pacticipants.update().where(pacticipants.c.id == pacticipant_id).values(updated_at=utcnow(), **values)
    )
    found = find_by_id(connection, pacticipant_id)
    assert found is not None
    return found


def delete(connection: Connection, pacticipant_id: int) -> None:
    connection.execute(pacticipants.delete().where(pacticipants.c.id == pacticipant_id))


def labels_of(connection: Connection, pacticipant_id: int) -> list[str]:
    rows = connection.execute(
        sa.select(labels.c.name).where(labels.c.pacticipant_id == pacticipant_id).order_by(labels.c.name)
    )
    return [row.name for row in rows]


def find_label(connection: Connection, pacticipant: Pacticipant, name: str) -> Label | None:
    row = connection.execute(
        sa.select(labels.c.name, labels.c.created_at).where(
            labels.c.pacticipant_id == pacticipant.id, labels.c.name == name
        )
    ).first()
    return Label(row.name, pacticipant.name, row.created_at) if row else None


def add_label(connection: Connection, pacticipant: Pacticipant, name: str) -> Label:
    insert_ignoring_conflict(
        connection,
        labels,
        {"pacticipant_id": pacticipant.id, "name": name, "created_at": utcnow()},
        ["pacticipant_id", "name"],
    )
    label = find_label(connection, pacticipant, name)
    assert label is not None
    return label


def remove_label(connection: Connection, pacticipant_id: int, name: str) -> None:
    connection.execute(labels.delete().where(labels.c.pacticipant_id == pacticipant_id, labels.c.name == name))


def with_label(connection: Connection, name: str) -> list[Pacticipant]:
    rows = connection.execute(
        sa.select(*_COLUMNS)
        .join(labels, labels.c.pacticipant_id == pacticipants.c.id)
        .where(labels.c.name == name)
        .order_by(pacticipants.c.name)
    )
    return [from_row(row) for row in rows]


def ids_with_labels(connection: Connection, pacticipant_ids: Sequence[int]) -> dict[int, list[str]]:
    if not pacticipant_ids:
        return {}
    result: dict[int, list[str]] = {pid: [] for pid in pacticipant_ids}
    rows = connection.execute(
        sa.select(labels.c.pacticipant_id, labels.c.name).where(labels.c.pacticipant_id.in_(pacticipant_ids))
    )
    for row in rows:
        result[row.pacticipant_id].append(row.name)
    return result


def ids_matching(connection: Connection, search: str) -> list[int]:
    """Pacticipants whose name contains `search`, ignoring case (the index's search box)."""
    rows = connection.execute(
        sa.select(pacticipants.c.id).where(sa.func.lower(pacticipants.c.name).contains(search.lower(), autoescape=True))
    )
    return [row.id for row in rows]
