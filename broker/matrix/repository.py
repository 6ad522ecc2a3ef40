"""The matrix rows: pact publications left-joined on content to the verifications by each
selected provider version.

Joining on the pact *version* is what makes one verification count for every consumer version
with the same content. Two views of the same rows, as in the official broker:

* with `latestby`, each consumer version's current pact revision joined to `latest_verifications`
  (the newest result per content and provider version, maintained on write);
* without `latestby` ("every row"), every revision of each consumer version's pact (the current one
  and those a republication superseded) joined to every verification.

Rows come newest action first (the later of the pact's and the verification's creation), which
is the order a `limit` keeps.
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
from broker.pacts.tables import pact_contents, pact_publications, pact_versions, superseded_pact_revisions
from broker.provider_contracts.models import ContractVerdict, CrossContractResult
from broker.provider_contracts.tables import cross_contract_results, provider_contract_contents, provider_contracts
from broker.storage.lists import in_subquery, one_of, one_of_parameter
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
    revision_number: int = 1
    contract: ContractVerdict | None = None  # set when the provider version's contract vouches, not a verification

    @property
    def judged(self) -> bool:
        """The row has a result: a verification, or a provider contract's verdict."""
        return self.verification_id is not None or self.contract is not None

    @property
    def last_action_at(self) -> datetime:
        """When this row last changed: the pact's publication or its verification, whichever is later."""
        if self.verified_at is not None and self.verified_at > self.pact_created_at:
            return self.verified_at
        return self.pact_created_at


def _revision_created_at() -> Any:
    """A revision replaces the publication's content in place, so its own time is `updated_at`."""
    return sa.case(
        (pact_publications.c.revision_number > 1, pact_publications.c.updated_at),
        else_=pact_publications.c.created_at,
    )


def _publications(every_revision: bool) -> Any:
    """The pacts rows start from: current revisions, or (`every_revision`) superseded ones too."""
    current = sa.select(
        pact_publications.c.id.label("pact_publication_id"),
        pact_publications.c.consumer_id,
        pact_publications.c.provider_id,
        pact_publications.c.consumer_version_id,
        pact_publications.c.pact_version_id,
        pact_publications.c.revision_number,
        _revision_created_at().label("created_at"),
    )
    if not every_revision:
        return current.subquery("p")
    superseded = sa.select(
        superseded_pact_revisions.c.pact_publication_id,
        pact_publications.c.consumer_id,
        pact_publications.c.provider_id,
        pact_publications.c.consumer_version_id,
        superseded_pact_revisions.c.pact_version_id,
        superseded_pact_revisions.c.revision_number,
        superseded_pact_revisions.c.created_at,
    ).join(pact_publications, pact_publications.c.id == superseded_pact_revisions.c.pact_publication_id)
    return sa.union_all(current, superseded).subquery("p")


def _rows_select(
    every_row: bool, provider_versions_match: Any, left: bool, numbers: bool = True
) -> tuple[sa.Select[Any], Any]:
    """Pacts joined to the verifications whose provider version passes `provider_versions_match`
    (a function of the verification's provider-version column, or None for any). Without
    `numbers` the version numbers are NULL, for a caller that knows them: the two joins to
    `versions` they take were most of the time PostgreSQL spent planning the statement."""
    p = _publications(every_row)
    if every_row:
        verification_source = verifications
        verification_id = verifications.c.id
        provider_version_id = verifications.c.provider_version_id
        join_on = verifications.c.pact_version_id == p.c.pact_version_id
    else:
        verification_source = latest_verifications
        verification_id = latest_verifications.c.verification_id
        provider_version_id = latest_verifications.c.provider_version_id
        join_on = latest_verifications.c.pact_version_id == p.c.pact_version_id
    if provider_versions_match is not None:
        join_on = sa.and_(join_on, provider_versions_match(provider_version_id))
    last_action = sa.case(
        (verifications.c.created_at > p.c.created_at, verifications.c.created_at), else_=p.c.created_at
    )
    statement = (
        sa.select(
            p.c.consumer_id,
            p.c.provider_id,
            p.c.consumer_version_id,
            consumer_versions.c.number if numbers else sa.null(),
            provider_version_id,
            provider_versions.c.number if numbers else sa.null(),
            p.c.pact_publication_id,
            p.c.pact_version_id,
            pact_contents.c.sha,
            p.c.created_at,
            verification_id,
            verifications.c.success,
            verifications.c.created_at,
            p.c.revision_number,
        )
        .select_from(p)
        .join(pact_versions, pact_versions.c.id == p.c.pact_version_id)
        .join(pact_contents, pact_contents.c.id == pact_versions.c.content_id)
        .join(verification_source, join_on, isouter=left)
    )
    if not every_row:
        statement = statement.join(verifications, verifications.c.id == verification_id, isouter=left)
    if numbers:
        statement = statement.join(consumer_versions, consumer_versions.c.id == p.c.consumer_version_id)
        statement = statement.join(provider_versions, provider_versions.c.id == provider_version_id, isouter=left)
    statement = statement.order_by(last_action.desc(), p.c.pact_publication_id.desc(), verification_id.desc())
    return statement, p


def _row(values: Any, names: Mapping[int, str], numbers: Mapping[int, str] | None = None) -> MatrixRow:
    """`numbers`: the version numbers by id, when the statement left them out."""
    provider_version_id = values[4]
    return MatrixRow(
        values[0],
        names[values[0]],
        values[2],
        values[3] if numbers is None else numbers[values[2]],
        values[1],
        names[values[1]],
        provider_version_id,
        values[5] if numbers is None or provider_version_id is None else numbers[provider_version_id],
        values[6],
        values[7],
        values[8],
        values[9],
        values[10],
        None if values[11] is None else bool(values[11]),
        values[12],
        values[13],
    )


@lru_cache(maxsize=32)
def _integration_statement(
    dialect: str, every_row: bool, left: bool, by_consumer_version: bool, by_provider_version: bool
) -> sa.Select[Any]:
    """Built once per shape with bind parameters; per request only the values change."""
    match = (lambda column: one_of_parameter(dialect, column, "provider_versions")) if by_provider_version else None
    statement, p = _rows_select(every_row, match, left)
    statement = statement.where(
        p.c.consumer_id == sa.bindparam("consumer_id"), p.c.provider_id == sa.bindparam("provider_id")
    ).limit(sa.bindparam("row_limit"))
    if by_consumer_version:
        statement = statement.where(one_of_parameter(dialect, p.c.consumer_version_id, "consumer_versions"))
    elif left:
        statement = _only_recent_actions(dialect, statement, p)
    return statement


def _only_recent_actions(dialect: str, statement: sa.Select[Any], p: Any) -> sa.Select[Any]:
    """An integration's newest `row_limit` rows without joining its whole history.

    Every publication is a row here (a left join), so the `row_limit` publications of the newest
    consumer versions give at least that many rows, each acting no earlier than the oldest of
    them was published: that time (`since`) is a lower bound of the last row kept. A kept row
    was therefore published or verified since then, so only the publications published since,
    those whose content was verified since, and those ever revised (rare; a revision's time is
    not indexed) are joined; the order and the limit then pick exactly the rows the whole
    history would give.
    """
    newest = (
        sa.select(pact_publications.c.created_at)
        .where(
            pact_publications.c.provider_id == sa.bindparam("provider_id"),
            pact_publications.c.consumer_id == sa.bindparam("consumer_id"),
        )
        .order_by(pact_publications.c.consumer_version_id.desc())
        .limit(sa.bindparam("row_limit"))
        .subquery("newest_publications")
    )
    since = sa.select(sa.func.min(newest.c.created_at)).scalar_subquery()
    verified_since = sa.select(verifications.c.pact_version_id).where(
        verifications.c.provider_id == sa.bindparam("provider_id"),
        verifications.c.consumer_id == sa.bindparam("consumer_id"),
        verifications.c.created_at >= since,
    )
    candidates = sa.union(
        sa.select(pact_publications.c.id).where(
            pact_publications.c.provider_id == sa.bindparam("provider_id"),
            pact_publications.c.created_at >= since,
        ),
        sa.select(pact_publications.c.id).where(pact_publications.c.pact_version_id.in_(verified_since)),
        sa.select(superseded_pact_revisions.c.pact_publication_id),
    )
    return statement.where(
        in_subquery(dialect, p.c.pact_publication_id, candidates),
        sa.or_(p.c.created_at >= since, verifications.c.created_at >= since),
    )


def rows_for_specific_versions(
    connection: Connection,
    *,
    pairs: Sequence[tuple[int, int]],
    names: Mapping[int, str],
    version_numbers: Mapping[int, str],
    consumer_version_ids: Collection[int],
    provider_version_ids: Collection[int],
    every_row: bool,
    limit: int,
) -> list[MatrixRow]:
    """Rows for several consumer/provider pairs at once, when every side names its versions.

    One statement serves them all because a version id belongs to one pacticipant and a pact
    version to one pair: filtering by the union of the version sets selects exactly each pair's.
    Unverified pacts are rows with no verification. `version_numbers`: the number of each
    version named (the caller resolved them), so the statement need not join `versions`.
    """
    if not consumer_version_ids:
        return []
    parameters = {
        "consumer_versions": list(consumer_version_ids),
        "provider_versions": list(provider_version_ids) or [-1],
        "pairs": list(pairs),
        "row_limit": limit,
    }
    statement = _specific_versions_statement(connection.dialect.name, every_row)
    return [_row(values, names, version_numbers) for values in connection.execute(statement, parameters)]


@lru_cache(maxsize=8)
def _specific_versions_statement(dialect: str, every_row: bool) -> sa.Select[Any]:
    """Built once per shape (can-i-deploy runs it on every call); the version sets, the pairs and
    the limit are parameters."""
    statement, p = _rows_select(
        every_row, lambda column: one_of_parameter(dialect, column, "provider_versions"), True, numbers=False
    )
    return statement.where(
        one_of_parameter(dialect, p.c.consumer_version_id, "consumer_versions"),
        sa.tuple_(p.c.consumer_id, p.c.provider_id).in_(sa.bindparam("pairs", expanding=True)),
    ).limit(sa.bindparam("row_limit"))


def rows_for_integration(
    connection: Connection,
    *,
    consumer_id: int,
    consumer_name: str,
    provider_id: int,
    provider_name: str,
    consumer_version_ids: Collection[int] | None,
    provider_version_ids: Collection[int] | None,
    unverified_rows: bool,
    every_row: bool,
    limit: int,
) -> list[MatrixRow]:
    """Rows for one consumer/provider pair; `None` version ids mean "any version".

    `unverified_rows` when a selector matches the consumer side: its pacts are rows even when no
    selected provider version verified them (a left join). When only the provider was selected,
    a row needs a verification by it (an inner join), as in the official broker.
    """
    if consumer_version_ids is not None and not consumer_version_ids:
        return []
    if provider_version_ids is not None and not provider_version_ids:
        provider_version_ids = [-1]
    statement = _integration_statement(
        connection.dialect.name,
        every_row,
        unverified_rows,
        consumer_version_ids is not None,
        provider_version_ids is not None,
    )
    parameters: dict[str, Any] = {"consumer_id": consumer_id, "provider_id": provider_id, "row_limit": limit}
    if consumer_version_ids is not None:
        parameters["consumer_versions"] = list(consumer_version_ids)
    if provider_version_ids is not None:
        parameters["provider_versions"] = list(provider_version_ids)
    names = {consumer_id: consumer_name, provider_id: provider_name}
    return [_row(values, names) for values in connection.execute(statement, parameters)]


@dataclass(frozen=True, slots=True)
class ContractEvidence:
    """A provider version's contract and (when compared and stored) its comparison with one pact
    version: what can make a matrix row where that provider version published no verification."""

    consumer_id: int
    provider_id: int
    pact_version_id: int
    pact_content_id: int
    provider_version_id: int
    provider_version_number: str
    contract_content_id: int
    self_verification_success: bool | None
    contract_published_at: datetime
    stored: CrossContractResult | None
    shas: tuple[str, str]  # the pact's and the document's contents


def contract_evidence(
    connection: Connection,
    *,
    pairs: Collection[tuple[int, int]],
    pact_version_ids: Collection[int] | None,
    provider_version_ids: Collection[int] | None,
    uncompared_too: bool,
    limit: int,
) -> list[ContractEvidence]:
    """The providers' contracts against the integrations' pact versions (those given, or all),
    for the given provider versions (or all); `pairs` are (consumer id, provider id). One
    statement serves several integrations because a version belongs to one pacticipant and a
    pact version to one pair. Pairs never compared come too only with `uncompared_too` (the
    caller compares them); otherwise only stored comparisons, which the publishes made for the
    versions that matter, so the cost follows what was stored, not the history. A failing
    comparison brings its results (for the reason); a passing one does not."""
    failing_results = sa.type_coerce(
        sa.case((cross_contract_results.c.success == sa.false(), cross_contract_results.c.results), else_=sa.null()),
        cross_contract_results.c.results.type,
    )
    compared = sa.and_(
        cross_contract_results.c.pact_content_id == pact_versions.c.content_id,
        cross_contract_results.c.contract_content_id == provider_contracts.c.content_id,
    )
    statement = (
        sa.select(
            pact_versions.c.consumer_id,
            pact_versions.c.provider_id,
            pact_versions.c.id,
            pact_versions.c.content_id,
            provider_contracts.c.provider_version_id,
            provider_versions.c.number,
            provider_contracts.c.content_id,
            provider_contracts.c.verification_success,
            sa.func.coalesce(provider_contracts.c.updated_at, provider_contracts.c.created_at),
            cross_contract_results.c.success,
            failing_results,
            cross_contract_results.c.problem,
            cross_contract_results.c.comparator_version,
            cross_contract_results.c.created_at,
            pact_contents.c.sha,
            provider_contract_contents.c.sha,
        )
        .select_from(provider_contracts)
        .join(provider_versions, provider_versions.c.id == provider_contracts.c.provider_version_id)
        .join(provider_contract_contents, provider_contract_contents.c.id == provider_contracts.c.content_id)
        .join(pact_versions, pact_versions.c.provider_id == provider_contracts.c.provider_id)
        .join(pact_contents, pact_contents.c.id == pact_versions.c.content_id)
        .join(cross_contract_results, compared, isouter=uncompared_too)
        .where(
            one_of(connection, provider_contracts.c.provider_id, {provider for _, provider in pairs}),
            sa.tuple_(pact_versions.c.consumer_id, pact_versions.c.provider_id).in_(list(pairs)),
        )
        .order_by(provider_contracts.c.provider_version_id.desc(), pact_versions.c.id.desc())
        .limit(limit)
    )
    if pact_version_ids is not None:
        statement = statement.where(one_of(connection, pact_versions.c.id, list(pact_version_ids) or [-1]))
    if provider_version_ids is not None:
        statement = statement.where(
            one_of(connection, provider_contracts.c.provider_version_id, list(provider_version_ids) or [-1])
        )
    found = []
    for values in connection.execute(statement):
        stored = None
        if values[9] is not None:
            stored = CrossContractResult(
                values[3], values[6], bool(values[9]), values[10] or [], values[11], values[12], values[13]
            )
        found.append(ContractEvidence(*values[:9], stored, (values[14], values[15])))
    return found


def publications_of_pact_versions(
    connection: Connection,
    *,
    consumer_id: int,
    provider_id: int,
    names: Mapping[int, str],
    pact_version_ids: Collection[int],
    consumer_version_ids: Collection[int] | None,
    every_row: bool,
    limit: int,
) -> list[MatrixRow]:
    """The integration's pacts (revisions) with these contents, as rows no one verified: the
    pacts a provider contract vouches for when no selector names the consumer."""
    if not pact_version_ids:
        return []
    statement, p = _rows_select(every_row, lambda column: sa.false(), True)
    statement = statement.where(
        p.c.consumer_id == consumer_id,
        p.c.provider_id == provider_id,
        one_of(connection, p.c.pact_version_id, list(pact_version_ids)),
    ).limit(limit)
    if consumer_version_ids is not None:
        statement = statement.where(one_of(connection, p.c.consumer_version_id, list(consumer_version_ids) or [-1]))
    return [_row(values, names) for values in connection.execute(statement)]


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
) -> list[tuple[str, Pacticipant, bool]]:
    """Who a pacticipant integrates with, in one round trip: ("provider", p, c) for the providers
    its versions (or, with None, any version) have pacts with; ("consumer", c, c) for its
    consumers; `c`: whether that pacticipant ever published a provider contract (the matrix's
    contract rows would otherwise ask that in a round trip of its own)."""
    statement = _counterparties_statement(connection.dialect.name, version_ids is not None)
    parameters: dict[str, Any] = {"pacticipant_id": pacticipant_id}
    if version_ids is not None:
        parameters["version_ids"] = list(version_ids) or [-1]
    return [
        (row[0], pacticipant_from_row(row[1:-1]), bool(row[-1])) for row in connection.execute(statement, parameters)
    ]


@lru_cache(maxsize=8)
def _counterparties_statement(dialect: str, by_versions: bool) -> sa.CompoundSelect:
    """Built once per shape (every matrix query asks it), the versions bound as one parameter."""
    pacticipant_id = sa.bindparam("pacticipant_id")
    if by_versions:
        provider_ids = sa.select(pact_publications.c.provider_id).where(
            one_of_parameter(dialect, pact_publications.c.consumer_version_id, "version_ids")
        )
    else:
        provider_ids = sa.select(integrations.c.provider_id).where(integrations.c.consumer_id == pacticipant_id)
    consumer_ids = sa.select(integrations.c.consumer_id).where(integrations.c.provider_id == pacticipant_id)
    has_contracts = (
        sa.select(provider_contracts.c.id).where(provider_contracts.c.provider_id == pacticipants.c.id).exists()
    )
    return sa.union_all(
        sa.select(sa.literal("provider").label("role"), *pacticipants.c, has_contracts).where(
            pacticipants.c.id.in_(provider_ids)
        ),
        sa.select(sa.literal("consumer").label("role"), *pacticipants.c, has_contracts).where(
            pacticipants.c.id.in_(consumer_ids)
        ),
    )
