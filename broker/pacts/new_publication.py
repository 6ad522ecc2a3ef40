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

_CONTENT = """content_new{s} AS (
    INSERT INTO pact_contents (sha, content, created_at) VALUES (:sha{s}, :content{s}, :now)
    ON CONFLICT (sha) DO NOTHING
    RETURNING id
), content{s} AS (
    SELECT id FROM content_new{s}
    UNION ALL
    SELECT id FROM pact_contents WHERE sha = :sha{s} AND NOT EXISTS (SELECT 1 FROM content_new{s})
)"""

# a pact whose content an earlier pact of the statement stores: it reads that pact's row (the
# statement's snapshot would not show it in pact_contents, and its insert would do nothing)
_SAME_CONTENT = """content{s} AS (SELECT id FROM content{t})"""

_CHAIN = """version_new{s} AS (
    INSERT INTO pact_versions (consumer_id, provider_id, content_id, created_at)
    SELECT :consumer_id, :provider_id{s}, content{s}.id, :now FROM content{s}
    ON CONFLICT (consumer_id, provider_id, content_id) DO NOTHING
    RETURNING id
), pact_version{s} AS (
    SELECT id, true AS created FROM version_new{s}
    UNION ALL
    SELECT pact_versions.id, false FROM pact_versions JOIN content{s} ON pact_versions.content_id = content{s}.id
    WHERE pact_versions.consumer_id = :consumer_id AND pact_versions.provider_id = :provider_id{s}
      AND NOT EXISTS (SELECT 1 FROM version_new{s})
), publication{s} AS (
    INSERT INTO pact_publications
        (consumer_id, provider_id, consumer_version_id, pact_version_id, revision_number, created_at, updated_at)
    SELECT :consumer_id, :provider_id{s}, :version_id, pact_version{s}.id, 1, :now, :now FROM pact_version{s}
    ON CONFLICT (consumer_version_id, provider_id) DO NOTHING
    RETURNING id
), integration{s} AS (
    INSERT INTO integrations (consumer_id, provider_id, created_at, contract_data_updated_at)
    SELECT :consumer_id, :provider_id{s}, :now, :now FROM publication{s}
    ON CONFLICT (consumer_id, provider_id) DO UPDATE SET contract_data_updated_at = excluded.contract_data_updated_at
), branch_heads{s} AS (
    INSERT INTO latest_branch_pacts
        (provider_id, branch_id, consumer_id, pact_publication_id, consumer_version_id, created_at)
    SELECT :provider_id{s}, branch.id, :consumer_id, publication{s}.id, :version_id, :now
    FROM publication{s}, unnest(CAST(:branch_ids AS INTEGER[])) AS branch(id)
    ON CONFLICT (provider_id, branch_id) DO UPDATE SET
        consumer_id = excluded.consumer_id, pact_publication_id = excluded.pact_publication_id,
        consumer_version_id = excluded.consumer_version_id, created_at = excluded.created_at
    WHERE excluded.consumer_version_id >= latest_branch_pacts.consumer_version_id
), tag_heads{s} AS (
    INSERT INTO latest_tag_pacts
        (provider_id, consumer_id, tag_name, pact_publication_id, consumer_version_id, created_at)
    SELECT :provider_id{s}, :consumer_id, tag.name, publication{s}.id, :version_id, :now
    FROM publication{s}, unnest(CAST(:tag_names AS VARCHAR[])) AS tag(name)
    ON CONFLICT (provider_id, consumer_id, tag_name) DO UPDATE SET
        pact_publication_id = excluded.pact_publication_id,
        consumer_version_id = excluded.consumer_version_id, created_at = excluded.created_at
    WHERE excluded.consumer_version_id >= latest_tag_pacts.consumer_version_id
)"""

_ANSWER = """SELECT {position} AS position, pact_version{s}.id AS pact_version_id, pact_version{s}.created,
       (SELECT id FROM content{s}) AS content_id, (SELECT id FROM publication{s}) AS publication_id,
       (SELECT previous.pact_version_id FROM pact_publications AS previous
        WHERE previous.provider_id = :provider_id{s} AND previous.consumer_id = :consumer_id
          AND previous.consumer_version_id < :version_id
        ORDER BY previous.consumer_version_id DESC LIMIT 1) AS previous_pact_version_id
FROM pact_version{s}"""


@dataclass(frozen=True)
class NewPublication:
    publication_id: int
    pact_version_id: int
    content_id: int
    new_content: bool  # the pair had never published this content before
    content_changed: bool  # new content, or not the content of the previous consumer version's pact


def _suffix(index: int, count: int) -> str:
    return "" if count == 1 else f"_{index}"


@cache
def _statement(content_of: tuple[int, ...]) -> sa.TextClause:
    """The statement for pacts of one consumer version, one chain of CTEs each (the parameters of
    the i-th suffixed `_i`; no suffix for a single pact). `content_of[i]`: the first pact with the
    i-th pact's content (the SHA leaves the names out, so pacts to several providers can share it)."""
    count = len(content_of)
    suffixes = [_suffix(index, count) for index in range(count)]
    parts = []
    for index, suffix in enumerate(suffixes):
        first = content_of[index]
        if first == index:
            parts.append(_CONTENT.format(s=suffix))
        else:
            parts.append(_SAME_CONTENT.format(s=suffix, t=suffixes[first]))
        parts.append(_CHAIN.format(s=suffix))
    chains = ",\n".join(parts)
    answers = "\nUNION ALL\n".join(_ANSWER.format(s=suffix, position=index) for index, suffix in enumerate(suffixes))
    return sa.text(f"WITH {chains}\n{answers}\n").bindparams(
        sa.bindparam("now", type_=UtcDateTime()),
        sa.bindparam("branch_ids", type_=postgresql.ARRAY(sa.Integer)),
        sa.bindparam("tag_names", type_=postgresql.ARRAY(sa.String(NAME_LENGTH))),
    )


@dataclass(frozen=True)
class NewPact:
    """One pact of the consumer version to write: its provider and its content."""

    provider_id: int
    sha: str
    content: str


def insert_many(
    connection: Connection,
    pacts: Sequence[NewPact],
    *,
    consumer_id: int,
    version_id: int,
    now: datetime,
    branch_ids: Sequence[int],
    tag_names: Sequence[str],
) -> list[NewPublication | None]:
    """PostgreSQL only. Every pact of a consumer version written in one round trip (a publish to
    several providers paid one per pact): per pact, in order, the new publication, or None when a
    concurrent writer's row means the step-by-step path must settle it; nothing is left
    half-written that it would not write. Pacts with one content share its row."""
    if not pacts:
        return []
    parameters: dict[str, object] = {
        "now": now,
        "consumer_id": consumer_id,
        "version_id": version_id,
        "branch_ids": list(dict.fromkeys(branch_ids)),
        "tag_names": list(dict.fromkeys(tag_names)),
    }
    first_with: dict[str, int] = {}
    content_of = tuple(first_with.setdefault(pact.sha, index) for index, pact in enumerate(pacts))
    for index, pact in enumerate(pacts):
        suffix = _suffix(index, len(pacts))
        parameters[f"provider_id{suffix}"] = pact.provider_id
        if content_of[index] == index:
            parameters[f"sha{suffix}"] = pact.sha
            parameters[f"content{suffix}"] = pact.content
    written: list[NewPublication | None] = [None] * len(pacts)
    for row in connection.execute(_statement(content_of), parameters):
        if row.publication_id is None:
            continue
        created = bool(row.created)
        changed = created or row.previous_pact_version_id != row.pact_version_id
        ids = (row.publication_id, row.pact_version_id, row.content_id)
        written[row.position] = NewPublication(*ids, created, changed)
    return written


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
    """`insert_many` for one pact."""
    return insert_many(
        connection,
        [NewPact(provider_id, sha, content)],
        consumer_id=consumer_id,
        version_id=version_id,
        now=now,
        branch_ids=branch_ids,
        tag_names=tag_names,
    )[0]
