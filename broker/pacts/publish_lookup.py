"""What a publish reads before it writes, in one round trip: the pacticipants it names, which
of them ever published a provider contract (their new pacts are compared with it), and the
consumer's branch the version goes on.

Three statements before, each a round trip inside the publish's write transaction; nothing is
cached, so several broker instances on one database see each other's writes as before.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from broker.pacticipants.models import Pacticipant
from broker.pacticipants.tables import pacticipants
from broker.provider_contracts.tables import provider_contracts
from broker.storage.lists import one_of_parameter
from broker.versions.models import Branch
from broker.versions.tables import branches

_PACTICIPANT_COLUMNS = len(pacticipants.c)


@dataclass
class BeforePublish:
    found: dict[str, Pacticipant] = field(default_factory=dict)  # the pacticipants that exist, by name
    with_contracts: set[int] = field(default_factory=set)
    branch: Branch | None = None  # the consumer's branch of the name asked for, if it exists


def look_up(
    connection: Connection, names: Collection[str], consumer_name: str, branch_name: str | None
) -> BeforePublish:
    """`branch_name`: the consumer's branch to read too (None: none)."""
    answer = BeforePublish()
    parameters = {"names": list(set(names)), "consumer": consumer_name, "branch": branch_name}
    for row in connection.execute(_statement(connection.dialect.name), parameters):
        pacticipant = Pacticipant(*row[:_PACTICIPANT_COLUMNS])
        answer.found[pacticipant.name] = pacticipant
        has_contracts, branch_id, name, created_at, updated_at = row[_PACTICIPANT_COLUMNS:]
        if has_contracts:
            answer.with_contracts.add(pacticipant.id)
        if branch_id is not None:
            answer.branch = Branch(branch_id, pacticipant.id, pacticipant.name, name, created_at, updated_at)
    return answer


@lru_cache(maxsize=4)
def _statement(dialect: str) -> sa.Select[Any]:
    """Built once per dialect, every value a parameter: one statement text for PostgreSQL."""
    has_contracts = sa.select(provider_contracts.c.id).where(provider_contracts.c.provider_id == pacticipants.c.id)
    on_branch = sa.and_(
        branches.c.pacticipant_id == pacticipants.c.id,
        pacticipants.c.name == sa.bindparam("consumer"),
        branches.c.name == sa.bindparam("branch"),
    )
    return (
        sa.select(
            *pacticipants.c,
            has_contracts.exists(),
            branches.c.id,
            branches.c.name,
            branches.c.created_at,
            branches.c.updated_at,
        )
        .select_from(pacticipants)
        .join(branches, on_branch, isouter=True)
        .where(one_of_parameter(dialect, pacticipants.c.name, "names"))
    )
