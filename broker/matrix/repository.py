"""The matrix rows: pact publications left-joined on content to the latest verification by
each selected provider version.

Joining on the pact *version* is what makes one verification count for every consumer version
with the same content. `latest_verifications` already holds only the newest result per
(content, provider version), so a row needs no window function.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from broker.deployments.tables import deployed_versions, environments, released_versions
from broker.integrations.tables import integrations
from broker.pacticipants.models import Pacticipant
from broker.pacticipants.repository import from_row as pacticipant_from_row
from broker.pacticipants.tables import pacticipants
from broker.pacts.tables import pact_contents, pact_publications, pact_versions
from broker.storage.lists import one_of, one_of_parameter
from broker.verifications.tables import latest_verifications, verifications
from broker.versions.models import Reference, VersionLabels
from broker.versions.tables import branch_versions, branches, tags, versions

consumer_versions = versions.alias("consumer_versions")
provider_versions = versions.alias("provider_versions")


@dataclass(frozen=True, slots=True)
class MatrixRow:
    consumer_id: int
    consumer_name: str
    consumer_version_id: int
    consumer_version_number: str
    provider_id: int
    provider_name: str
    provider_version_id: int | None
    provider_version_number: str | None
    pact_publication_id: int
    pact_version_id: int
    sha: str
    pact_created_at: datetime
    verification_id: int | None
    success: bool | None
    verified_at: datetime | None


@lru_cache(maxsize=16)
def _rows_statement(dialect: str, left: bool, by_consumer_version: bool, by_provider_version: bool) -> sa.Select[Any]:
    """Built once per shape with bind parameters; per request only the values change."""
    join_on = latest_verifications.c.pact_version_id == pact_publications.c.pact_version_id
    if by_provider_version:
        join_on = sa.and_(
            join_on, one_of_parameter(dialect, latest_verifications.c.provider_version_id, "provider_versions")
        )
    statement = (
        sa.select(
            pact_publications.c.consumer_version_id,
            consumer_versions.c.number,
            latest_verifications.c.provider_version_id,
            provider_versions.c.number,
            pact_publications.c.id,
            pact_publications.c.pact_version_id,
            pact_contents.c.sha,
            pact_publications.c.created_at,
            verifications.c.id,
            verifications.c.success,
            verifications.c.created_at,
        )
        .select_from(pact_publications)
        .join(consumer_versions, consumer_versions.c.id == pact_publications.c.consumer_version_id)
        .join(pact_versions, pact_versions.c.id == pact_publications.c.pact_version_id)
        .join(pact_contents, pact_contents.c.id == pact_versions.c.content_id)
        .join(latest_verifications, join_on, isouter=left)
        .join(verifications, verifications.c.id == latest_verifications.c.verification_id, isouter=left)
        .join(provider_versions, provider_versions.c.id == latest_verifications.c.provider_version_id, isouter=left)
        .where(
            pact_publications.c.consumer_id == sa.bindparam("consumer_id"),
            pact_publications.c.provider_id == sa.bindparam("provider_id"),
        )
        .order_by(pact_publications.c.consumer_version_id.desc(), latest_verifications.c.provider_version_id.desc())
        .limit(sa.bindparam("row_limit"))
    )
    if by_consumer_version:
        statement = statement.where(
            one_of_parameter(dialect, pact_publications.c.consumer_version_id, "consumer_versions")
        )
    return statement


def rows_for_specific_versions(
    connection: Connection,
    *,
    pairs: Sequence[tuple[int, int]],
    names: Mapping[int, str],
    consumer_version_ids: Collection[int],
    provider_version_ids: Collection[int],
    limit: int,
) -> list[MatrixRow]:
    """Rows for several consumer/provider pairs at once, when every side names its versions.

    One statement serves them all because a version id belongs to one pacticipant and a pact
    version to one pair: filtering by the union of the version sets selects exactly each pair's.
    """
    if not consumer_version_ids:
        return []
    join_on = sa.and_(
        latest_verifications.c.pact_version_id == pact_publications.c.pact_version_id,
        one_of(connection, latest_verifications.c.provider_version_id, list(provider_version_ids) or [-1]),
    )
    statement = (
        sa.select(
            pact_publications.c.consumer_id,
            pact_publications.c.provider_id,
            pact_publications.c.consumer_version_id,
            consumer_versions.c.number,
            latest_verifications.c.provider_version_id,
            provider_versions.c.number,
            pact_publications.c.id,
            pact_publications.c.pact_version_id,
            pact_contents.c.sha,
            pact_publications.c.created_at,
            verifications.c.id,
            verifications.c.success,
            verifications.c.created_at,
        )
        .select_from(pact_publications)
        .join(consumer_versions, consumer_versions.c.id == pact_publications.c.consumer_version_id)
        .join(pact_versions, pact_versions.c.id == pact_publications.c.pact_version_id)
        .join(pact_contents, pact_contents.c.id == pact_versions.c.content_id)
        .join(latest_verifications, join_on, isouter=True)
        .join(verifications, verifications.c.id == latest_verifications.c.verification_id, isouter=True)
        .join(provider_versions, provider_versions.c.id == latest_verifications.c.provider_version_id, isouter=True)
        .where(
            one_of(connection, pact_publications.c.consumer_version_id, consumer_version_ids),
            sa.tuple_(pact_publications.c.consumer_id, pact_publications.c.provider_id).in_(list(pairs)),
        )
        .order_by(pact_publications.c.consumer_version_id.desc(), latest_verifications.c.provider_version_id.desc())
        .limit(limit)
    )
    return [
        MatrixRow(
            row[0],
            names[row[0]],
            row[2],
            row[3],
            row[1],
            names[row[1]],
            row[4],
            row[5],
            row[6],
            row[7],
            row[8],
            row[9],
            row[10],
            None if row[11] is None else bool(row[11]),
            row[12],
        )
        for row in connection.execute(statement)
    ]


def rows_for_integration(
    connection: Connection,
    *,
    consumer_id: int,
    consumer_name: str,
    provider_id: int,
    provider_name: str,
    consumer_version_ids: Collection[int] | None,
    provider_version_ids: Collection[int] | None,
    limit: int,
) -> list[MatrixRow]:
    """Rows for one consumer/provider pair; `None` version ids mean "any version".

    A consumer side limited to known versions is left-joined (an unverified pact is a row with
    no verification); "any consumer version" is inner-joined, so only verified pacts appear.
    """
    if consumer_version_ids is not None and not consumer_version_ids:
        return []
    if provider_version_ids is not None and not provider_version_ids:
        provider_version_ids = [-1]
    statement = _rows_statement(
        connection.dialect.name,
        consumer_version_ids is not None,
        consumer_version_ids is not None,
        provider_version_ids is not None,
    )
    parameters: dict[str, Any] = {"consumer_id": consumer_id, "provider_id": provider_id, "row_limit": limit}
    if consumer_version_ids is not None:
        parameters["consumer_versions"] = list(consumer_version_ids)
    if provider_version_ids is not None:
        parameters["provider_versions"] = list(provider_version_ids)
    return [
        MatrixRow(
            consumer_id,
            consumer_name,
            row[0],
            row[1],
            provider_id,
            provider_name,
            row[2],
            row[3],
            row[4],
            row[5],
            row[6],
            row[7],
            row[8],
            None if row[9] is None else bool(row[9]),
            row[10],
        )
        for row in connection.execute(statement, parameters)
    ]


_bv = branch_versions.alias("row_bv")
_same_branch = branch_versions.alias("row_same_branch")
_other_tag = tags.alias("row_other_tag")


@lru_cache(maxsize=4)
def _labels_statement(dialect: str) -> Any:
    return sa.union_all(
        sa.select(
            _bv.c.version_id,
            sa.literal("branch").label("kind"),
            branches.c.name,
            (
                _bv.c.version_id
                == sa.select(sa.func.max(_same_branch.c.version_id))
                .where(_same_branch.c.branch_id == _bv.c.branch_id)
                .scalar_subquery()
            ).label("latest"),
            _bv.c.id.label("position"),
        )
        .join(branches, branches.c.id == _bv.c.branch_id)
        .where(one_of_parameter(dialect, _bv.c.version_id, "branch_versions")),
        sa.select(
            tags.c.version_id,
            sa.literal("tag").label("kind"),
            tags.c.name,
            (
                tags.c.version_id
                == sa.select(sa.func.max(_other_tag.c.version_id))
                .where(_other_tag.c.pacticipant_id == tags.c.pacticipant_id, _other_tag.c.name == tags.c.name)
                .scalar_subquery()
            ).label("latest"),
            tags.c.id.label("position"),
        ).where(one_of_parameter(dialect, tags.c.version_id, "tag_versions")),
        sa.select(
            deployed_versions.c.version_id,
            sa.literal("environment").label("kind"),
            environments.c.name,
            sa.null().label("latest"),
            environments.c.id.label("position"),
        )
        .join(environments, environments.c.id == deployed_versions.c.environment_id)
        .where(
            one_of_parameter(dialect, deployed_versions.c.version_id, "deployed_versions"),
            deployed_versions.c.undeployed_at.is_(None),
        ),
        sa.select(
            released_versions.c.version_id,
            sa.literal("environment").label("kind"),
            environments.c.name,
            sa.null().label("latest"),
            environments.c.id.label("position"),
        )
        .join(environments, environments.c.id == released_versions.c.environment_id)
        .where(
            one_of_parameter(dialect, released_versions.c.version_id, "released_versions"),
            released_versions.c.support_ended_at.is_(None),
        ),
    )


def version_labels(
    connection: Connection, version_ids: Collection[int]
) -> tuple[dict[int, VersionLabels], dict[int, list[str]]]:
    """Branches, tags and current environments of the rows' versions, in one round trip."""
    wanted = list(set(version_ids))
    labels = {vid: VersionLabels() for vid in wanted}
    environment_names: dict[int, list[str]] = {vid: [] for vid in wanted}
    if not wanted:
        return labels, environment_names
    parameters = {key: wanted for key in ("branch_versions", "tag_versions", "deployed_versions", "released_versions")}
    for row in sorted(
        connection.execute(_labels_statement(connection.dialect.name), parameters), key=lambda r: (r.kind, r.position)
    ):
        if row.kind == "branch":
            labels[row.version_id].branches.append(Reference(row.name, bool(row.latest)))
        elif row.kind == "tag":
            labels[row.version_id].tags.append(Reference(row.name, bool(row.latest)))
        elif row.name not in environment_names[row.version_id]:
            environment_names[row.version_id].append(row.name)
    return labels, environment_names


def counterparties(
    connection: Connection, pacticipant_id: int, version_ids: Collection[int] | None
) -> list[tuple[str, Pacticipant]]:
    """Who a pacticipant integrates with, in one round trip: ("provider", p) for the providers its
    versions (or, with None, any version) have pacts with; ("consumer", c) for its consumers."""
    if version_ids is None:
        provider_ids = sa.select(integrations.c.provider_id).where(integrations.c.consumer_id == pacticipant_id)
    else:
        provider_ids = sa.select(pact_publications.c.provider_id).where(
            pact_publications.c.consumer_version_id.in_(list(version_ids) or [-1])
        )
    consumer_ids = sa.select(integrations.c.consumer_id).where(integrations.c.provider_id == pacticipant_id)
    statement = sa.union_all(
        sa.select(sa.literal("provider").label("role"), *pacticipants.c).where(pacticipants.c.id.in_(provider_ids)),
        sa.select(sa.literal("consumer").label("role"), *pacticipants.c).where(pacticipants.c.id.in_(consumer_ids)),
    )
    return [(row[0], pacticipant_from_row(row[1:])) for row in connection.execute(statement)]
