"""A new version put on an existing branch in one round trip on PostgreSQL.

A publish on a branch creates the version, then puts it on the branch: two statements, each a
round trip inside the publish's transaction. Here they are one statement of data-modifying
CTEs, with the same insert-or-ignore semantics as the step-by-step path: when the version
already exists (a republish, or a concurrent publisher got there first) the statement inserts
nothing and answers nothing, and the caller goes the step-by-step way, which handles both.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from broker.storage.schema import UtcDateTime
from broker.versions.models import Branch, Version

_STATEMENT = """
WITH version AS (
    INSERT INTO versions (pacticipant_id, number, created_at, updated_at)
    VALUES (:pacticipant_id, :number, :now, :now)
    ON CONFLICT (pacticipant_id, number) DO NOTHING
    RETURNING id, build_url, created_at, updated_at
), on_branch AS (
    INSERT INTO branch_versions (branch_id, version_id, pacticipant_id, created_at)
    SELECT :branch_id, version.id, :pacticipant_id, :now FROM version
    ON CONFLICT (branch_id, version_id) DO NOTHING
)
SELECT id, build_url, created_at, updated_at FROM version
"""


@cache
def _statement() -> sa.TextClause:
    return (
        sa.text(_STATEMENT)
        .bindparams(sa.bindparam("now", type_=UtcDateTime()))
        .columns(
            sa.column("id", sa.Integer),
            sa.column("build_url", sa.Text),
            sa.column("created_at", UtcDateTime()),
            sa.column("updated_at", UtcDateTime()),
        )
    )


def insert(connection: Connection, branch: Branch, number: str, now: datetime) -> Version | None:
    """PostgreSQL only. The version, created now on `branch` (of its pacticipant); None when a
    version of that number exists already (nothing was written)."""
    row = connection.execute(
        _statement(),
        {"pacticipant_id": branch.pacticipant_id, "number": number, "now": now, "branch_id": branch.id},
    ).first()
    if row is None:
        return None
    return Version(
        row.id, branch.pacticipant_id, branch.pacticipant_name, number, row.build_url, row.created_at, row.updated_at
    )
