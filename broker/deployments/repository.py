"""Queries for environments, deployed versions and released versions."""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from broker.deployments.models import DeployedVersion, Environment, ReleasedVersion
from broker.deployments.tables import deployed_versions, environments, released_versions
from broker.pacticipants.tables import pacticipants
from broker.storage.lists import one_of, one_of_parameter
from broker.storage.schema import utcnow
from broker.versions import repository as versions_repository
from broker.versions.models import Version
from broker.versions.tables import versions

_ENVIRONMENT_COLUMNS = (
    environments.c.id,
    environments.c.uuid,
    environments.c.name,
    environments.c.display_name,
    environments.c.production,
    environments.c.contacts,
    environments.c.created_at,
    environments.c.updated_at,
)


def _environment(row: Any) -> Environment:
    return Environment(
        row.id,
        row.uuid,
        row.name,
        row.display_name,
        bool(row.production),
        row.contacts or [],
        row.created_at,
        row.updated_at,
    )


def find_environment(connection: Connection, *, uuid: str | None = None, name: str | None = None) -> Environment | None:
    statement = sa.select(*_ENVIRONMENT_COLUMNS)
    if uuid is not None:
        statement = statement.where(environments.c.uuid == uuid)
    if name is not None:
        statement = statement.where(environments.c.name == name)
    row = connection.execute(statement).first()
    return _environment(row) if row else None


def environments_named(connection: Connection, names: Iterable[str]) -> dict[str, Environment]:
    """The environments among these names, by name, in one query."""
    wanted = list(set(names))
    if not wanted:
        return {}
    rows = connection.execute(sa.select(*_ENVIRONMENT_COLUMNS).where(environments.c.name.in_(wanted)))
    return {row.name: _environment(row) for row in rows}


def environments_by_ids(connection: Connection, ids: Iterable[int]) -> dict[int, Environment]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = connection.execute(sa.select(*_ENVIRONMENT_COLUMNS).where(environments.c.id.in_(wanted)))
    return {row.id: _environment(row) for row in rows}


def list_environments(connection: Connection, name: str | None = None) -> list[Environment]:
    statement = sa.select(*_ENVIRONMENT_COLUMNS).order_by(environments.c.name)
    if name is not None:
        statement = statement.where(environments.c.name == name)
    return [_environment(row) for row in connection.execute(statement)]


def insert_environment(connection: Connection, values: Mapping[str, Any]) -> Environment:
    now = utcnow()
    connection.execute(
        environments.insert().values(
            uuid=values.get("uuid") or str(uuid_module.uuid4()),
            created_at=now,
            updated_at=now,
            **{key: value for key, value in values.items() if key != "uuid"},
        )
    )
    found = find_environment(connection, name=values["name"])
    assert found is not None
    return found


def update_environment(connection: Connection, environment_id: int, values: Mapping[str, Any]) -> None:
    connection.execute(
        environments.update().where(environments.c.id == environment_id).values(updated_at=utcnow(), **values)
    )


def delete_environment(connection: Connection, environment_id: int) -> None:
    connection.execute(environments.delete().where(environments.c.id == environment_id))


# --- deployed versions ---------------------------------------------------------------------------

_DEPLOYED_COLUMNS = (
    deployed_versions.c.id,
    deployed_versions.c.uuid,
    deployed_versions.c.version_id,
    deployed_versions.c.environment_id,
    deployed_versions.c.target,
    deployed_versions.c.created_at,
    deployed_versions.c.undeployed_at,
)


def _deployed(connection: Connection, rows: list[Any]) -> list[DeployedVersion]:
    versions = versions_repository.find_by_ids(connection, [row.version_id for row in rows])
    envs = environments_by_ids(connection, [row.environment_id for row in rows])
    return [
        DeployedVersion(
            row.id,
            row.uuid,
            versions[row.version_id],
            envs[row.environment_id],
            row.target,
            row.created_at,
            row.undeployed_at,
        )
        for row in rows
    ]


_VERSION_COLUMNS = tuple(column.label(f"of_version_{column.key}") for column in versions_repository.COLUMNS)
_ENVIRONMENT_LABELLED = tuple(column.label(f"of_environment_{column.key}") for column in _ENVIRONMENT_COLUMNS)


def _with_version_and_environment(records: sa.Table, columns: tuple[Any, ...]) -> sa.Select[Any]:
    """Deployment or release rows with their version (and its pacticipant's name) and their
    environment, in one statement: pages list them by the dozen."""
    return (
        sa.select(*columns, *_VERSION_COLUMNS, *_ENVIRONMENT_LABELLED)
        .join(versions, versions.c.id == records.c.version_id)
        .join(pacticipants, pacticipants.c.id == versions.c.pacticipant_id)
        .join(environments, environments.c.id == records.c.environment_id)
    )


def _version_of(row: Any) -> Version:
    return Version(*(row._mapping[column.name] for column in _VERSION_COLUMNS))


def _environment_of(row: Any) -> Environment:
    values = [row._mapping[column.name] for column in _ENVIRONMENT_LABELLED]
    return Environment(*values[:4], bool(values[4]), values[5] or [], *values[6:])


def deployed_where(connection: Connection, *criteria: Any) -> list[DeployedVersion]:
    statement = _with_version_and_environment(deployed_versions, _DEPLOYED_COLUMNS)
    rows = connection.execute(statement.where(*criteria).order_by(deployed_versions.c.id))
    return [
        DeployedVersion(
            row.id, row.uuid, _version_of(row), _environment_of(row), row.target, row.created_at, row.undeployed_at
        )
        for row in rows
    ]


def currently_deployed(
    connection: Connection,
    environment_id: int | None = None,
    pacticipant_ids: Iterable[int] | None = None,
    version_id: int | None = None,
) -> list[DeployedVersion]:
    criteria: list[Any] = [deployed_versions.c.undeployed_at.is_(None)]
    if environment_id is not None:
        criteria.append(deployed_versions.c.environment_id == environment_id)
    if pacticipant_ids is not None:
        criteria.append(deployed_versions.c.pacticipant_id.in_(list(pacticipant_ids)))
    if version_id is not None:
        criteria.append(deployed_versions.c.version_id == version_id)
    return deployed_where(connection, *criteria)


def insert_deployed(
    connection: Connection, version_id: int, pacticipant_id: int, environment_id: int, target: str | None
) -> None:
    connection.execute(
        deployed_versions.insert().values(
            uuid=str(uuid_module.uuid4()),
            version_id=version_id,
            pacticipant_id=pacticipant_id,
            environment_id=environment_id,
            target=target,
            created_at=utcnow(),
        )
    )


def mark_undeployed(connection: Connection, ids: Iterable[int]) -> None:
    wanted = list(ids)
    if wanted:
        connection.execute(
            deployed_versions.update().where(deployed_versions.c.id.in_(wanted)).values(undeployed_at=utcnow())
        )


# --- released versions ---------------------------------------------------------------------------

_RELEASED_COLUMNS = (
    released_versions.c.id,
    released_versions.c.uuid,
    released_versions.c.version_id,
    released_versions.c.environment_id,
    released_versions.c.created_at,
    released_versions.c.updated_at,
    released_versions.c.support_ended_at,
)


def released_where(connection: Connection, *criteria: Any) -> list[ReleasedVersion]:
    statement = _with_version_and_environment(released_versions, _RELEASED_COLUMNS)
    rows = connection.execute(statement.where(*criteria).order_by(released_versions.c.id))
    return [
        ReleasedVersion(
            row.id,
            row.uuid,
            _version_of(row),
            _environment_of(row),
            row.created_at,
            row.updated_at,
            row.support_ended_at,
        )
        for row in rows
    ]


def currently_supported(
    connection: Connection,
    environment_id: int | None = None,
    pacticipant_ids: Iterable[int] | None = None,
    version_id: int | None = None,
) -> list[ReleasedVersion]:
    criteria: list[Any] = [released_versions.c.support_ended_at.is_(None)]
    if environment_id is not None:
        criteria.append(released_versions.c.environment_id == environment_id)
    if pacticipant_ids is not None:
        criteria.append(released_versions.c.pacticipant_id.in_(list(pacticipant_ids)))
    if version_id is not None:
        criteria.append(released_versions.c.version_id == version_id)
    return released_where(connection, *criteria)


def upsert_release(connection: Connection, version_id: int, pacticipant_id: int, environment_id: int) -> bool:
    """Record (or re-activate) a release; True when a new row was created."""
    existing = connection.execute(
        sa.select(released_versions.c.id).where(
            released_versions.c.version_id == version_id, released_versions.c.environment_id == environment_id
        )
    ).scalar()
    now = utcnow()
    if existing is not None:
        connection.execute(
            released_versions.update()
            .where(released_versions.c.id == existing)
            .values(support_ended_at=None, updated_at=now)
        )
        return False
    connection.execute(
        released_versions.insert().values(
            uuid=str(uuid_module.uuid4()),
            version_id=version_id,
            pacticipant_id=pacticipant_id,
            environment_id=environment_id,
            created_at=now,
            updated_at=now,
        )
    )
    return True


def end_support(connection: Connection, released_version_id: int) -> None:
    now = utcnow()
    connection.execute(
        released_versions.update()
        .where(released_versions.c.id == released_version_id)
        .values(support_ended_at=now, updated_at=now)
    )


def versions_in_environment(
    connection: Connection, environment_id: int, pacticipant_ids: Iterable[int]
) -> dict[int, list[Version]]:
    """Per pacticipant, the versions currently deployed or released-and-supported there (one query)."""
    wanted = list(set(pacticipant_ids))
    result: dict[int, list[Version]] = {pid: [] for pid in wanted}
    if not wanted:
        return result
    parameters = {"environment_id": environment_id, "deployed_pacticipants": wanted, "released_pacticipants": wanted}
    for row in connection.execute(_versions_in_environment_statement(connection.dialect.name), parameters):
        result[row.pacticipant_id].append(versions_repository.from_row(row))
    return result


@lru_cache(maxsize=4)
def _versions_in_environment_statement(dialect: str) -> sa.Select[Any]:
    """Built once per dialect (can-i-deploy to an environment asks it on every call), the
    pacticipants bound as one list: one statement text whatever their number."""
    environment_id = sa.bindparam("environment_id")
    live = sa.union(
        sa.select(deployed_versions.c.version_id).where(
            deployed_versions.c.environment_id == environment_id,
            deployed_versions.c.undeployed_at.is_(None),
            one_of_parameter(dialect, deployed_versions.c.pacticipant_id, "deployed_pacticipants"),
        ),
        sa.select(released_versions.c.version_id).where(
            released_versions.c.environment_id == environment_id,
            released_versions.c.support_ended_at.is_(None),
            one_of_parameter(dialect, released_versions.c.pacticipant_id, "released_pacticipants"),
        ),
    )
    in_environment = versions.c.id.in_(live.scalar_subquery())
    return versions_repository.select_versions().where(in_environment).order_by(versions.c.id)


@lru_cache(maxsize=4)
def _environment_names_statement(dialect: str) -> sa.CompoundSelect:
    """Built once per dialect, the versions bound as one list: one statement text whatever their
    number, so PostgreSQL gets it prepared (an `IN` of each page's count of ids was a new text,
    rendered and planned on every request); `branches_of` and `tags_of` bind theirs the same way."""
    return sa.union(
        sa.select(deployed_versions.c.version_id, environments.c.name)
        .join(environments, environments.c.id == deployed_versions.c.environment_id)
        .where(
            one_of_parameter(dialect, deployed_versions.c.version_id, "version_ids"),
            deployed_versions.c.undeployed_at.is_(None),
        ),
        sa.select(released_versions.c.version_id, environments.c.name)
        .join(environments, environments.c.id == released_versions.c.environment_id)
        .where(
            one_of_parameter(dialect, released_versions.c.version_id, "version_ids"),
            released_versions.c.support_ended_at.is_(None),
        ),
    )


def environment_names_of(connection: Connection, version_ids: Iterable[int]) -> dict[int, list[str]]:
    """Per version, the environments it is currently deployed or released to (one query)."""
    wanted = list(set(version_ids))
    result: dict[int, list[str]] = {vid: [] for vid in wanted}
    if not wanted:
        return result
    rows = connection.execute(_environment_names_statement(connection.dialect.name), {"version_ids": wanted})
    for version_id, name in sorted(rows, key=lambda row: (row[0], row[1])):
        result[version_id].append(name)
    return result


def deployed_of_versions(connection: Connection, version_ids: Iterable[int]) -> dict[int, list[DeployedVersion]]:
    """Every deployment (current or not) of each version, by version id."""
    wanted = list(version_ids)
    grouped: dict[int, list[DeployedVersion]] = {}
    if wanted:
        for item in deployed_where(connection, one_of(connection, deployed_versions.c.version_id, wanted)):
            grouped.setdefault(item.version.id, []).append(item)
    return grouped


def released_of_versions(connection: Connection, version_ids: Iterable[int]) -> dict[int, list[ReleasedVersion]]:
    """Every release (supported or not) of each version, by version id."""
    wanted = list(version_ids)
    grouped: dict[int, list[ReleasedVersion]] = {}
    if wanted:
        for item in released_where(connection, one_of(connection, released_versions.c.version_id, wanted)):
            grouped.setdefault(item.version.id, []).append(item)
    return grouped


def history_of_environment(
    connection: Connection, environment_id: int, limit: int, offset: int
) -> tuple[list[DeployedVersion], list[ReleasedVersion]]:
    """A page of an environment's deployments and of its releases, newest first."""
    deployed_rows = list(
        connection.execute(
            sa.select(*_DEPLOYED_COLUMNS)
            .where(deployed_versions.c.environment_id == environment_id)
            .order_by(deployed_versions.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )
    released_ids = connection.execute(
        sa.select(released_versions.c.id)
        .where(released_versions.c.environment_id == environment_id)
        .order_by(released_versions.c.id.desc())
        .limit(limit)
        .offset(offset)
    ).scalars()
    releases = released_where(connection, released_versions.c.id.in_(list(released_ids)))
    return _deployed(connection, deployed_rows), sorted(releases, key=lambda r: -r.id)
