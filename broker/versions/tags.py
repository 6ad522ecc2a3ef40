"""Queries for tags (the pre-branch way of labelling versions)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from broker.storage.lists import one_of_parameter
from broker.storage.schema import utcnow
from broker.storage.upserts import insert_ignoring_conflict, insert_many_ignoring_conflict
from broker.versions.models import Reference, Tag, Version
from broker.versions.tables import tags


def find(connection: Connection, version: Version, name: str) -> Tag | None:
    created_at = connection.execute(
        sa.select(tags.c.created_at).where(tags.c.version_id == version.id, tags.c.name == name)
    ).scalar()
    return Tag(name, version, created_at) if created_at else None


def add(connection: Connection, version: Version, name: str) -> tuple[Tag, bool]:
    inserted = insert_ignoring_conflict(
        connection,
        tags,
        {
            "version_id": version.id,
            "pacticipant_id": version.pacticipant_id,
            "name": name,
            "created_at": utcnow(),
        },
        ["version_id", "name"],
    )
    tag = find(connection, version, name)
    assert tag is not None
    return tag, inserted


def add_many(connection: Connection, version: Version, names: Sequence[str]) -> list[str]:
    """Put every tag on the version in two statements; the names it did not carry yet, in order."""
    if not names:
        return []
    carried = set(
        connection.execute(
            sa.select(tags.c.name).where(tags.c.version_id == version.id, tags.c.name.in_(list(names)))
        ).scalars()
    )
    added = [name for name in dict.fromkeys(names) if name not in carried]
    now = utcnow()
    rows = [
        {"version_id": version.id, "pacticipant_id": version.pacticipant_id, "name": name, "created_at": now}
        for name in added
    ]
    insert_many_ignoring_conflict(connection, tags, rows, ["version_id", "name"])
    return added


def remove(connection: Connection, version: Version, name: str) -> None:
    connection.execute(tags.delete().where(tags.c.version_id == version.id, tags.c.name == name))


def remove_all(connection: Connection, version: Version) -> list[str]:
    names = [ref.name for ref in tags_of(connection, [version.id])[version.id]]
    connection.execute(tags.delete().where(tags.c.version_id == version.id))
    return names


_other = tags.alias("other")


@lru_cache(maxsize=4)
def _tags_of_statement(dialect: str) -> sa.Select[Any]:
    return (
        sa.select(
            tags.c.version_id,
            tags.c.name,
            (
                tags.c.version_id
                == sa.select(sa.func.max(_other.c.version_id))
                .where(_other.c.pacticipant_id == tags.c.pacticipant_id, _other.c.name == tags.c.name)
                .scalar_subquery()
            ).label("latest"),
        )
        .where(one_of_parameter(dialect, tags.c.version_id, "version_ids"))
        .order_by(tags.c.id)
    )


def tags_of(connection: Connection, version_ids: Iterable[int]) -> dict[int, list[Reference]]:
    """Tag names of each version, each marked latest when no newer version carries the tag."""
    wanted = list(set(version_ids))
    result: dict[int, list[Reference]] = {vid: [] for vid in wanted}
    if not wanted:
        return result
    rows = connection.execute(_tags_of_statement(connection.dialect.name), {"version_ids": wanted})
    for row in rows:
        result[row.version_id].append(Reference(row.name, bool(row.latest)))
    return result


def first_created(connection: Connection, pacticipant_id: int, name: str) -> datetime | None:
    """When a tag name was first used by this pacticipant (pending rules compare against it)."""
    return connection.execute(
        sa.select(sa.func.min(tags.c.created_at)).where(tags.c.pacticipant_id == pacticipant_id, tags.c.name == name)
    ).scalar()
