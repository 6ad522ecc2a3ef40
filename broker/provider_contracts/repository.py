"""The SQL of provider contracts: documents stored once per SHA, one contract per provider
version, comparison results once per (pact content, document content), and the versions that
matter on each side when something is published."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from hashlib import md5
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.engine import Connection

from broker.deployments.tables import deployed_versions, released_versions
from broker.integrations.tables import integrations
from broker.pacticipants.tables import pacticipants
from broker.pacts.tables import latest_branch_pacts, pact_contents, pact_publications, pact_versions
from broker.provider_contracts.models import (
    ContentThatMatters,
    CrossContractResult,
    ProviderContract,
    SelfVerification,
)
from broker.provider_contracts.tables import cross_contract_results, provider_contract_contents, provider_contracts
from broker.storage.lists import one_of, one_of_parameter
from broker.storage.schema import utcnow
from broker.storage.upserts import insert_returning_id, upsert_touching
from broker.verifications.tables import verifications
from broker.versions.tables import branch_versions, branches, versions

_use_consumers = pacticipants.alias("use_consumers")
_verifiers = pacticipants.alias("verifiers")
_verifier_versions = versions.alias("verifier_versions")

# --- documents and contracts -----------------------------------------------------------------


def content_id_for(connection: Connection, sha: str, text: str, content_type: str, specification: str) -> int:
    """The content row for this SHA, stored only when new."""
    existing = connection.execute(
        sa.select(provider_contract_contents.c.id).where(provider_contract_contents.c.sha == sha)
    ).scalar()
    if existing is not None:
        return existing
    values = {
        "sha": sha,
        "content": text,
        "content_type": content_type,
        "specification": specification,
        "created_at": utcnow(),
    }
    new_id = insert_returning_id(connection, provider_contract_contents, values, ["sha"])
    if new_id is not None:
        return new_id
    return connection.execute(
        sa.select(provider_contract_contents.c.id).where(provider_contract_contents.c.sha == sha)
    ).scalar_one()


def _select_contracts() -> sa.Select[Any]:
    return (
        sa.select(
            provider_contracts,
            pacticipants.c.name.label("provider_name"),
            versions.c.number.label("version_number"),
            provider_contract_contents.c.sha,
            provider_contract_contents.c.content,
            provider_contract_contents.c.content_type,
            provider_contract_contents.c.specification,
        )
        .join(pacticipants, pacticipants.c.id == provider_contracts.c.provider_id)
        .join(versions, versions.c.id == provider_contracts.c.provider_version_id)
        .join(provider_contract_contents, provider_contract_contents.c.id == provider_contracts.c.content_id)
    )


def _contract(row: Any) -> ProviderContract:
    return ProviderContract(
        id=row.id,
        provider_id=row.provider_id,
        provider_name=row.provider_name,
        provider_version_id=row.provider_version_id,
        provider_version_number=row.version_number,
        content_id=row.content_id,
        sha=row.sha,
        content=row.content,
        content_type=row.content_type,
        specification=row.specification,
        self_verification=SelfVerification(
            row.verification_success,
            row.verification_content,
            row.verification_content_type,
            row.verification_format,
            row.verifier,
            row.verifier_version,
        ),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def find_contract(connection: Connection, provider_version_id: int) -> ProviderContract | None:
    row = connection.execute(
        _select_contracts().where(provider_contracts.c.provider_version_id == provider_version_id)
    ).first()
    return _contract(row) if row else None


def contracts_by_version_ids(connection: Connection, version_ids: Iterable[int]) -> dict[int, ProviderContract]:
    ids = list(version_ids)
    if not ids:
        return {}
    rows = connection.execute(_select_contracts().where(provider_contracts.c.provider_version_id.in_(ids)))
    return {row.provider_version_id: _contract(row) for row in rows}


def versions_with_contracts(connection: Connection, version_ids: Iterable[int]) -> set[int]:
    """Which of these versions published a contract (without reading the documents)."""
    ids = list(version_ids)
    if not ids:
        return set()
    statement = sa.select(provider_contracts.c.provider_version_id).where(
        provider_contracts.c.provider_version_id.in_(ids)
    )
    return set(connection.execute(statement).scalars())


def save_contract(
    connection: Connection,
    provider_id: int,
    provider_version_id: int,
    content_id: int,
    verification: SelfVerification,
) -> bool:
    """Store the version's contract (replacing an earlier one); True when the version had none."""
    values: Mapping[str, Any] = {
        "content_id": content_id,
        "verification_success": verification.success,
        "verification_content": verification.content,
        "verification_content_type": verification.content_type,
        "verification_format": verification.format,
        "verifier": verification.verifier,
        "verifier_version": verification.verifier_version,
    }
    existing = connection.execute(
        sa.select(provider_contracts.c.id).where(provider_contracts.c.provider_version_id == provider_version_id)
    ).scalar()
    if existing is not None:
        connection.execute(
            provider_contracts.update().where(provider_contracts.c.id == existing).values(**values, updated_at=utcnow())
        )
        return False
    new_id = insert_returning_id(
        connection,
        provider_contracts,
        {"provider_id": provider_id, "provider_version_id": provider_version_id, **values, "created_at": utcnow()},
        ["provider_version_id"],
    )
    return new_id is not None


def any_contract_for(connection: Connection, provider_id: int) -> bool:
    statement = sa.select(provider_contracts.c.id).where(provider_contracts.c.provider_id == provider_id).limit(1)
    return connection.execute(statement).first() is not None


def providers_with_contracts(connection: Connection, provider_ids: Iterable[int]) -> set[int]:
    """Which of these providers ever published a contract: one indexed probe each, in one round
    trip of one statement text (the matrix asks it on every query, before anything else)."""
    wanted = list(provider_ids)
    if not wanted:
        return set()
    statement = _providers_with_contracts_statement(connection.dialect.name)
    return set(connection.execute(statement, {"provider_ids": wanted}).scalars())


@lru_cache(maxsize=4)
def _providers_with_contracts_statement(dialect: str) -> sa.Select[Any]:
    """Built once per dialect: every publish and every matrix query asks it."""
    published = sa.select(provider_contracts.c.id).where(provider_contracts.c.provider_id == pacticipants.c.id).exists()
    return sa.select(pacticipants.c.id).where(one_of_parameter(dialect, pacticipants.c.id, "provider_ids"), published)


def contract_text(connection: Connection, content_id: int) -> tuple[str, str]:
    """The document's text and SHA."""
    row = connection.execute(
        sa.select(provider_contract_contents.c.content, provider_contract_contents.c.sha).where(
            provider_contract_contents.c.id == content_id
        )
    ).one()
    return row.content, row.sha


def pact_text(connection: Connection, pact_content_id: int) -> str:
    return connection.execute(
        sa.select(pact_contents.c.content).where(pact_contents.c.id == pact_content_id)
    ).scalar_one()


# --- the versions that matter --------------------------------------------------------------------


def _publications_that_matter(provider_id: int, limit: int | None) -> sa.Select[Any]:
    """The union behind `publications_that_matter`; with `limit`, each part is cut in SQL to its
    newest `limit` rows, so a provider with a thousand branch heads hands back only those shown."""
    heads = (
        sa.select(pact_publications.c.id, pact_versions.c.content_id)
        .join(pact_publications, pact_publications.c.id == latest_branch_pacts.c.pact_publication_id)
        .join(pact_versions, pact_versions.c.id == pact_publications.c.pact_version_id)
        .where(latest_branch_pacts.c.provider_id == provider_id)
    )
    # its consumers from the integrations (one row each), not from every publication it ever had
    consumer_ids = sa.select(integrations.c.consumer_id).where(integrations.c.provider_id == provider_id)
    live_versions = sa.union(
        sa.select(deployed_versions.c.version_id).where(
            deployed_versions.c.pacticipant_id.in_(consumer_ids), deployed_versions.c.undeployed_at.is_(None)
        ),
        sa.select(released_versions.c.version_id).where(
            released_versions.c.pacticipant_id.in_(consumer_ids), released_versions.c.support_ended_at.is_(None)
        ),
    )
    live = (
        sa.select(pact_publications.c.id, pact_versions.c.content_id)
        .join(pact_versions, pact_versions.c.id == pact_publications.c.pact_version_id)
        .where(
            pact_publications.c.provider_id == provider_id,
            pact_publications.c.consumer_version_id.in_(live_versions),
        )
    )
    if limit is None:
        return sa.union(heads, live)  # type: ignore[return-value]
    newest_heads = heads.order_by(pact_publications.c.id.desc()).limit(limit).subquery()
    newest_live = live.order_by(pact_publications.c.id.desc()).limit(limit).subquery()
    both = sa.union(sa.select(newest_heads), sa.select(newest_live)).subquery()
    return sa.select(both.c.id, both.c.content_id).order_by(both.c.id.desc()).limit(limit)


def publications_that_matter(
    connection: Connection, provider_id: int, *, limit: int | None = None
) -> list[tuple[int, int]]:
    """(publication id, pact content id) of the provider's pacts from consumer versions that are
    the latest of a branch (the main branch included) or deployed or released: the pacts a
    provider contract is judged against. Newest first; the newest `limit` only, if given."""
    rows = connection.execute(_publications_that_matter(provider_id, limit)).all()
    return [(row.id, row.content_id) for row in sorted(rows, key=lambda row: row.id, reverse=True)]


def pact_uses_that_matter(connection: Connection, provider_id: int) -> list[Any]:
    """The publications of `publications_that_matter`, each with what the coverage map shows of
    it, in one statement: consumer name, consumer version id and number, pact version id, its
    content's SHA, and its pact version's newest verification by anyone (`verification_id`,
    `verified`, `verifier_name`, `verifier_version_number`; None when never verified).

    The publications are gathered by id alone and then looked up by primary key: PostgreSQL
    otherwise hashes every publication to find a thousand of them. The statement is built once
    per dialect (the provider is a parameter): building it took ~1 ms per request."""
    return list(connection.execute(_pact_uses_that_matter(connection.dialect.name), {"provider_id": provider_id}))


def pact_uses_digest(connection: Connection, provider_id: int) -> str | None:
    """A digest of what names every row of `pact_uses_that_matter` but its pacticipants' names, at
    a third of its cost and in one short row: per pact that matters, its pact version id, consumer
    version id and newest verification id (`uses_digest` of the rows themselves gives the same).
    Equal ids mean equal rows, as what a row shows of them never changes (a pact version's content,
    a version's number and pacticipant, a verification's result and verifier), and PostgreSQL's
    sequences never hand an id out twice. None on SQLite, which gives a deleted newest row's id to
    the next insert, so only the rows themselves tell.

    The newest verification is looked up once per distinct pact version, from the end of the
    (pact version, id) index alone. (At the benchmark's data nearly every publication that matters
    has a pact version of its own, ~1,000 of ~1,000; it is their contents that repeat, ~500.)"""
    if connection.dialect.name != "postgresql":
        return None
    return connection.execute(_pact_uses_digest(), {"provider_id": provider_id}).scalar_one()


def uses_digest(rows: Iterable[Any]) -> str:
    """`pact_uses_digest` of rows of `pact_uses_that_matter`: the same text, hashed the same way."""
    # in the probe's order; a consumer version publishes one pact per provider, so no two tie
    keys = sorted(
        ((row.pact_version_id, row.consumer_version_id, row.verification_id) for row in rows), key=lambda key: key[:2]
    )
    text = ",".join(f"{pact}:{consumer}:{'' if verified is None else verified}" for pact, consumer, verified in keys)
    return md5(text.encode(), usedforsecurity=False).hexdigest()


@lru_cache(maxsize=1)
def _pact_uses_digest() -> sa.Select[Any]:
    provider_id = sa.bindparam("provider_id", type_=sa.Integer)
    matter = _matter(provider_id)
    uses = (
        sa.select(pact_publications.c.pact_version_id, pact_publications.c.consumer_version_id)
        .join(matter, matter.c.id == pact_publications.c.id)
        .cte("uses")
    )
    used = sa.select(uses.c.pact_version_id).distinct().subquery("used")
    newest = (
        sa.select(verifications.c.id)
        .where(verifications.c.pact_version_id == used.c.pact_version_id)
        .order_by(verifications.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    per_pact_version = sa.select(used.c.pact_version_id, newest.label("verification_id")).subquery("newest")
    text = sa.func.concat_ws(
        ":",
        uses.c.pact_version_id,
        uses.c.consumer_version_id,
        sa.func.coalesce(sa.cast(per_pact_version.c.verification_id, sa.Text), ""),
    )
    ordered = sa.func.string_agg(  # string_agg(text, ',' ORDER BY ...): the order goes with the last argument
        text, aggregate_order_by(sa.literal_column("','"), uses.c.pact_version_id, uses.c.consumer_version_id)
    )
    return sa.select(sa.func.md5(sa.func.coalesce(ordered, ""))).join_from(
        uses, per_pact_version, per_pact_version.c.pact_version_id == uses.c.pact_version_id
    )


def _matter(provider_id: sa.BindParameter[int]) -> sa.Subquery:
    """The ids of `publications_that_matter`, gathered by id alone."""
    heads = sa.select(latest_branch_pacts.c.pact_publication_id.label("id")).where(
        latest_branch_pacts.c.provider_id == provider_id
    )
    live = sa.select(pact_publications.c.id).where(
        pact_publications.c.provider_id == provider_id,
        pact_publications.c.consumer_version_id.in_(_live_consumer_versions(provider_id)),
    )
    return sa.union(heads, live).subquery()


@lru_cache(maxsize=4)
def _pact_uses_that_matter(dialect: str) -> sa.Select[Any]:
    provider_id = sa.bindparam("provider_id", type_=sa.Integer)
    matter = _matter(provider_id)
    uses = (
        pact_publications.join(matter, matter.c.id == pact_publications.c.id)
        .join(_use_consumers, _use_consumers.c.id == pact_publications.c.consumer_id)
        .join(versions, versions.c.id == pact_publications.c.consumer_version_id)
        .join(pact_versions, pact_versions.c.id == pact_publications.c.pact_version_id)
        .join(pact_contents, pact_contents.c.id == pact_versions.c.content_id)
    )
    with_verification, verification_id, verified, verifier_name, verifier_version_number = _with_newest_verification(
        uses, dialect
    )
    return sa.select(
        pact_publications.c.pact_version_id,
        pact_publications.c.consumer_version_id,
        verification_id.label("verification_id"),
        _use_consumers.c.name.label("consumer_name"),
        versions.c.number.label("consumer_version_number"),
        pact_contents.c.sha,
        verified.label("verified"),
        verifier_name.label("verifier_name"),
        verifier_version_number.label("verifier_version_number"),
    ).select_from(with_verification)


def _with_newest_verification(
    uses: sa.FromClause, dialect: str
) -> tuple[sa.FromClause, sa.ColumnElement[Any], sa.ColumnElement[Any], sa.ColumnElement[Any], sa.ColumnElement[Any]]:
    """`uses` outer-joined to each publication's pact version's newest verification (the highest
    id), with its id, success, verifier's name and verifier's version number. Both backends read the
    index on (pact version, id) once per pact version, from its end. PostgreSQL through a LATERAL
    subquery (`ORDER BY id DESC LIMIT 1`, looking up the verifier for that one row); an anti-join
    ("no newer verification exists") read every verification of the pact version against every
    other. SQLite through `id = (SELECT max(id) ...)`, which it answers from the same index."""
    if dialect == "postgresql":
        latest = (
            sa.select(
                verifications.c.id,
                verifications.c.success,
                _verifiers.c.name,
                _verifier_versions.c.number,
            )
            .join(_verifiers, _verifiers.c.id == verifications.c.provider_id)
            .join(_verifier_versions, _verifier_versions.c.id == verifications.c.provider_version_id)
            .where(verifications.c.pact_version_id == pact_publications.c.pact_version_id)
            .order_by(verifications.c.id.desc())
            .limit(1)
            .lateral("newest_verifications")
        )
        joined = uses.outerjoin(latest, sa.true())
        return joined, latest.c.id, latest.c.success, latest.c.name, latest.c.number
    others = verifications.alias("others")
    newest_id = (
        sa.select(sa.func.max(others.c.id))
        .where(others.c.pact_version_id == pact_publications.c.pact_version_id)
        .correlate(pact_publications)
        .scalar_subquery()
    )
    joined = (
        uses.outerjoin(verifications, verifications.c.id == newest_id)
        .outerjoin(_verifiers, _verifiers.c.id == verifications.c.provider_id)
        .outerjoin(_verifier_versions, _verifier_versions.c.id == verifications.c.provider_version_id)
    )
    return joined, verifications.c.id, verifications.c.success, _verifiers.c.name, _verifier_versions.c.number


def _live_consumer_versions(provider_id: int | sa.BindParameter[int]) -> Any:
    """The versions of the provider's consumers deployed or released now."""
    consumer_ids = sa.select(integrations.c.consumer_id).where(integrations.c.provider_id == provider_id)
    return sa.union(
        sa.select(deployed_versions.c.version_id).where(
            deployed_versions.c.pacticipant_id.in_(consumer_ids), deployed_versions.c.undeployed_at.is_(None)
        ),
        sa.select(released_versions.c.version_id).where(
            released_versions.c.pacticipant_id.in_(consumer_ids), released_versions.c.support_ended_at.is_(None)
        ),
    )


def pact_shas(connection: Connection, pact_content_ids: Iterable[int]) -> dict[int, str]:
    """The SHAs of pact contents, by content id: the key of a comparison kept in memory."""
    wanted = list(set(pact_content_ids))
    if not wanted:
        return {}
    rows = connection.execute(
        sa.select(pact_contents.c.id, pact_contents.c.sha).where(one_of(connection, pact_contents.c.id, wanted))
    )
    return {row.id: row.sha for row in rows}


def pact_contents_that_matter(connection: Connection, provider_id: int) -> list[int]:
    return list(dict.fromkeys(content for _, content in publications_that_matter(connection, provider_id)))


def contract_contents_that_matter(
    connection: Connection, provider_id: int, pact_content_id: int = -1, comparator_version: str = ""
) -> dict[int, ContentThatMatters]:
    """Document contents of the provider versions that are the latest with a contract on a
    branch, or deployed or released, or the latest contract of all: the documents a new pact
    is judged against. Newest first, by content id, each with its SHA and whether the pact
    content `pact_content_id` was compared with it by `comparator_version` already (one round
    trip: every publish of a pact to a provider with contracts asks all three)."""
    parameters = {"provider_id": provider_id, "pact_content_id": pact_content_id, "comparator": comparator_version}
    found: dict[int, ContentThatMatters] = {}
    for row in connection.execute(_contents_that_matter_statement(), parameters):
        found.setdefault(row.content_id, ContentThatMatters(row.sha, bool(row.compared)))
    return found


@lru_cache(maxsize=1)
def _contents_that_matter_statement() -> sa.Select[Any]:
    """Built once, the provider and the pact content as parameters."""
    provider_id = sa.bindparam("provider_id")
    on_branches = (
        sa.select(sa.func.max(provider_contracts.c.provider_version_id).label("version_id"))
        .join(branch_versions, branch_versions.c.version_id == provider_contracts.c.provider_version_id)
        .join(branches, branches.c.id == branch_versions.c.branch_id)
        .where(provider_contracts.c.provider_id == provider_id)
        .group_by(branches.c.id)
    )
    latest = sa.select(sa.func.max(provider_contracts.c.provider_version_id).label("version_id")).where(
        provider_contracts.c.provider_id == provider_id
    )
    deployed = sa.select(deployed_versions.c.version_id.label("version_id")).where(
        deployed_versions.c.pacticipant_id == provider_id, deployed_versions.c.undeployed_at.is_(None)
    )
    released = sa.select(released_versions.c.version_id.label("version_id")).where(
        released_versions.c.pacticipant_id == provider_id, released_versions.c.support_ended_at.is_(None)
    )
    wanted = sa.union(on_branches, latest, deployed, released)
    compared = (
        sa.select(cross_contract_results.c.pact_content_id)
        .where(
            cross_contract_results.c.pact_content_id == sa.bindparam("pact_content_id"),
            cross_contract_results.c.contract_content_id == provider_contracts.c.content_id,
            cross_contract_results.c.comparator_version == sa.bindparam("comparator"),
        )
        .exists()
    )
    return (
        sa.select(provider_contracts.c.content_id, provider_contract_contents.c.sha, compared.label("compared"))
        .join(provider_contract_contents, provider_contract_contents.c.id == provider_contracts.c.content_id)
        .where(provider_contracts.c.provider_version_id.in_(wanted))
        .order_by(provider_contracts.c.provider_version_id.desc())
    )


def pact_content_id_of(connection: Connection, pact_version_id: int) -> int:
    return connection.execute(
        sa.select(pact_versions.c.content_id).where(pact_versions.c.id == pact_version_id)
    ).scalar_one()


# --- results -------------------------------------------------------------------------------------


def _result(row: Any) -> CrossContractResult:
    return CrossContractResult(
        row.pact_content_id,
        row.contract_content_id,
        row.success,
        row.results,
        row.problem,
        row.comparator_version,
        row.created_at,
    )


def results_of_pact(
    connection: Connection, provider_id: int, pact_content_id: int
) -> list[tuple[int, CrossContractResult, bool | None]]:
    """(provider version id, result, self-verification success) for every contract of the
    provider already compared with the pact content, newest provider version first."""
    rows = connection.execute(
        sa.select(
            cross_contract_results, provider_contracts.c.provider_version_id, provider_contracts.c.verification_success
        )
        .join(provider_contracts, provider_contracts.c.content_id == cross_contract_results.c.contract_content_id)
        .where(
            provider_contracts.c.provider_id == provider_id,
            cross_contract_results.c.pact_content_id == pact_content_id,
        )
        .order_by(provider_contracts.c.provider_version_id.desc())
    )
    return [(row.provider_version_id, _result(row), row.verification_success) for row in rows]


def find_result(connection: Connection, pact_content_id: int, contract_content_id: int) -> CrossContractResult | None:
    row = connection.execute(
        sa.select(cross_contract_results).where(
            cross_contract_results.c.pact_content_id == pact_content_id,
            cross_contract_results.c.contract_content_id == contract_content_id,
        )
    ).first()
    return _result(row) if row else None


def find_results(
    connection: Connection, pact_content_ids: Iterable[int], contract_content_id: int
) -> dict[int, CrossContractResult]:
    """The stored results of one document with many pacts, by pact content id, in one query."""
    wanted = list(set(pact_content_ids))
    if not wanted:
        return {}
    rows = connection.execute(
        sa.select(cross_contract_results).where(
            one_of(connection, cross_contract_results.c.pact_content_id, wanted),
            cross_contract_results.c.contract_content_id == contract_content_id,
        )
    )
    return {row.pact_content_id: _result(row) for row in rows}


def existing_pairs(
    connection: Connection, pact_content_ids: Iterable[int], contract_content_ids: Iterable[int], version: str
) -> set[tuple[int, int]]:
    pacts, contracts = list(pact_content_ids), list(contract_content_ids)
    if not pacts or not contracts:
        return set()
    rows = connection.execute(
        sa.select(cross_contract_results.c.pact_content_id, cross_contract_results.c.contract_content_id).where(
            cross_contract_results.c.pact_content_id.in_(pacts),
            cross_contract_results.c.contract_content_id.in_(contracts),
            cross_contract_results.c.comparator_version == version,
        )
    )
    return {(row.pact_content_id, row.contract_content_id) for row in rows}


def save_result(connection: Connection, result: CrossContractResult) -> None:
    """Store the pair's result, replacing one made by another comparator version (one statement)."""
    upsert_touching(
        connection,
        cross_contract_results,
        {
            "pact_content_id": result.pact_content_id,
            "contract_content_id": result.contract_content_id,
            "success": result.success,
            "results": result.results,
            "problem": result.problem,
            "comparator_version": result.comparator_version,
            "created_at": result.created_at,
        },
        ["pact_content_id", "contract_content_id"],
        ["success", "results", "problem", "comparator_version", "created_at"],
    )
