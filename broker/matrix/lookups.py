"""What a matrix query names, looked up in one round trip: its pacticipants, the versions its
selectors give by number, its destination environment, and which of those pacticipants ever
published a provider contract.

Asked one at a time these were four statements before the first row was fetched (can-i-deploy
asks them on every call), each a round trip that on PostgreSQL cost more than the work it asked
for. Nothing here is cached: every answer is read in the request's own snapshot, so several
broker instances on one database need no coordination.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from broker.deployments.tables import environments
from broker.pacticipants.models import Pacticipant
from broker.pacticipants.tables import pacticipants
from broker.provider_contracts.tables import provider_contracts
from broker.storage.lists import one_of_parameter
from broker.versions.models import Version
from broker.versions.tables import versions

_PACTICIPANT_COLUMNS = 9  # every pacticipants column, in table order, as `Pacticipant` takes them


@dataclass
class Named:
    """The answers, by name. `environment_id` is None when the query named no environment or
    no pacticipant was found (the caller then asks for the environment alone, for its error)."""

    pacticipants: dict[str, Pacticipant] = field(default_factory=dict)
    versions: dict[tuple[int, str], Version] = field(default_factory=dict)  # by (pacticipant id, number)
    environment_id: int | None = None
    with_contracts: set[int] = field(default_factory=set)


def look_up(connection: Connection, names: Collection[str], numbers: Collection[str], environment: str | None) -> Named:
    """The pacticipants among `names`, their versions among `numbers` (a number may exist for
    several pacticipants: each is kept), the id of `environment`, and who has contracts."""
    named = Named()
    if not names:
        return named
    parameters = {"names": list(set(names)), "numbers": list(set(numbers)) or [""], "environment": environment}
    for row in connection.execute(_statement(connection.dialect.name), parameters):
        pacticipant = Pacticipant(*row[:_PACTICIPANT_COLUMNS])
        named.pacticipants[pacticipant.name] = pacticipant
        version_id, number, build_url, created_at, updated_at, has_contracts, environment_id = row[
            _PACTICIPANT_COLUMNS:
        ]
        if version_id is not None:
            named.versions[(pacticipant.id, number)] = Version(
                version_id, pacticipant.id, pacticipant.name, number, build_url, created_at, updated_at
            )
        if has_contracts:
            named.with_contracts.add(pacticipant.id)
        named.environment_id = environment_id
    return named


@lru_cache(maxsize=4)
def _statement(dialect: str) -> sa.Select[Any]:
    """Built once per dialect; the lists and the environment's name are parameters, so
    PostgreSQL sees one statement text."""
    has_contracts = sa.select(provider_contracts.c.id).where(provider_contracts.c.provider_id == pacticipants.c.id)
    environment_id = sa.select(environments.c.id).where(environments.c.name == sa.bindparam("environment"))
    return (
        sa.select(
            *pacticipants.c,
            versions.c.id,
            versions.c.number,
            versions.c.build_url,
            versions.c.created_at,
            versions.c.updated_at,
            has_contracts.exists(),
            environment_id.scalar_subquery(),
        )
        .select_from(pacticipants)
        .join(
            versions,
            sa.and_(
                versions.c.pacticipant_id == pacticipants.c.id, one_of_parameter(dialect, versions.c.number, "numbers")
            ),
            isouter=True,
        )
        .where(one_of_parameter(dialect, pacticipants.c.name, "names"))
    )
