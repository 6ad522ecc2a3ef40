"""A new publication stored in one round trip on PostgreSQL.

Publishing a pact for a consumer version that has none for that provider writes five tables: the
content (once per SHA), the pact version (once per pair and content), the publication, the
integration's `contract_data_updated_at` and the heads of the version's branches and tags. Sent
one statement at a time that is five round trips per pact, which is most of what a publish waits
on; here they are one statement of data-modifying CTEs, each step reading the row the previous
one inserted or found. The same statement reads the pact version the pair's previous consumer
version published, which says whether the content changed (the `contract_content_changed` event)
without another round trip.

Every step is the same insert-or-ignore (or guarded upsert) as the step-by-step path, so
concurrent publishers are settled by the same unique constraints. When a row another writer
committed after this statement's snapshot stands in the way (the statement can neither insert
it nor see it), the statement answers nothing or no publication id, and the caller goes the
step-by-step way, which handles those races.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from broker.names import NAME_LENGTH
from broker.storage.schema import UtcDateTime

_STATEMENT = """
WITH content_new AS (
    INSERT INTO pact_contents (sha, content, created_at) VALUES (:sha, :content, :now)
    ON CONFLICT (sha) DO NOTHING
    RETURNING id
), content AS (
    SELECT id FROM content_new
    UNION ALL
    SELECT id FROM pact_contents WHERE sha = :sha AND NOT EXISTS (SELECT 1 FROM content_new)
), version_new AS (
    INSERT INTO pact_versions (consumer_id, provider_id, content_id, created_at)
    SELECT :consumer_id, :provider_id, content.id, :now FROM content
    ON CONFLICT (consumer_id, provider_id, content_id) DO NOTHING
    RETURNING id
), pact_version AS (
    SELECT id, true AS created FROM version_new
    UNION ALL
    SELECT pact_versions.id, false FROM pact_versions JOIN content ON pact_versions.content_id = content.id
    WHERE pact_versions.consumer_id = :consumer_id AND pact_versions.provider_id = :provider_id
      AND NOT EXISTS (SELECT 1 FROM version_new)
), publication AS (
    INSERT INTO pact_publications
        (consumer_id, provider_id, consumer_version_id, pact_version_id, revision_number, created_at, updated_at)
    SELECT :consumer_id, :provider_id, :version_id, pact_version.id, 1, :now, :now FROM pact_version
    ON CONFLICT (consumer_version_id, provider_id) DO NOTHING
    RETURNING id
), integration AS (
    INSERT INTO integrations (consumer_id, provider_id, created_at, contract_data_updated_at)
    SELECT :consumer_id, :provider_id, :now, :now FROM publication
    ON CONFLICT (consumer_id, provider_id) DO UPDATE SET contract_data_updated_at = excluded.contract_data_updated_at
), branch_heads AS (
    INSERT INTO latest_branch_pacts
        (provider_id, branch_id, consumer_id, pact_publication_id, consumer_version_id, created_at)
    SELECT :provider_id, branch.id, :consumer_id, publication.id, :version_id, :now
    FROM publication, unnest(CAST(:branch_ids AS INTEGER[])) AS branch(id)
    ON CONFLICT (provider_id, branch_id) DO UPDATE SET
        consumer_id = excluded.consumer_id, pact_publication_id = excluded.pact_publication_id,
        consumer_version_id = excluded.consumer_version_id, created_at = excluded.created_at
    WHERE excluded.consumer_version_id >= latest_branch_pacts.consumer_version_id
), tag_heads AS (
    INSERT INTO latest_tag_pacts
        (provider_id, consumer_id, tag_name, pact_publication_id, consumer_version_id, created_at)
    SELECT :provider_id, :consumer_id, tag.name, publication.id, :version_id, :now
    FROM publication, unnest(CAST(:tag_names AS VARCHAR[])) AS tag(name)
    ON CONFLICT (provider_id, consumer_id, tag_name) DO UPDATE SET
        pact_publication_id = excluded.pact_publication_id,
        consumer_version_id = excluded.consumer_version_id, created_at = excluded.created_at
    WHERE excluded.consumer_version_id >= latest_tag_pacts.consumer_version_id
)
SELECT pact_version.id AS pact_version_id, pact_version.created, (SELECT id FROM content) AS content_id,
       (SELECT id FROM publication) AS publication_id,
       (SELECT previous.pact_version_id FROM pact_publications AS previous
        WHERE previous.provider_id = :provider_id AND previous.consumer_id = :consumer_id
          AND previous.consumer_version_id < :version_id
        ORDER BY previous.consumer_version_id DESC LIMIT 1) AS previous_pact_version_id
FROM pact_version
"""


@dataclass(frozen=True)
class NewPublication:
    publication_id: int
    pact_version_id: int
    content_id: int
    new_content: bool  # the pair had never published this content before
    content_changed: bool  # new content, or not the content of the previous consumer version's pact


@cache
def _statement() -> sa.TextClause:
    return sa.text(_STATEMENT).bindparams(
        sa.bindparam("now", type_=UtcDateTime()),
        sa.bindparam("branch_ids", type_=postgresql.ARRAY(sa.Integer)),
        sa.bindparam("tag_names", type_=postgresql.ARRAY(sa.String(NAME_LENGTH))),
    )


def insert(
    connection: Connection,
    *,
    consumer_id: int,
    provider_id: int,
    version_id: int,
    sha: str,
    content: str,
    now: datetime,
    branch_ids: Sequence[int],
    tag_names: Sequence[str],
) -> NewPublication | None:
    """PostgreSQL only. The new publication, or None when a concurrent writer's row means the
    step-by-step path must settle it (nothing is left half-written that it would not write)."""
    row = connection.execute(
        _statement(),
        {
            "sha": sha,
            "content": content,
            "now": now,
            "consumer_id": consumer_id,
            "provider_id": provider_id,
            "version_id": version_id,
            "branch_ids": list(dict.fromkeys(branch_ids)),
            "tag_names": list(dict.fromkeys(tag_names)),
        },
    ).first()
    if row is None or row.publication_id is None:
        return None
    created = bool(row.created)
    changed = created or row.previous_pact_version_id != row.pact_version_id
    return NewPublication(row.publication_id, row.pact_version_id, row.content_id, created, changed)
