"""Queries for integrations."""

from __future__ import annotations

from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from broker.integrations.models import Integration
from broker.integrations.tables import integrations
from broker.pacticipants.tables import pacticipants
from broker.storage.schema import utcnow
from broker.storage.upserts import upsert_touching

_consumers = pacticipants.alias("integration_consumers")
_providers = pacticipants.alias("integration_providers")


def _select() -> sa.Select[Any]:
    return (
        sa.select(
            integrations.c.consumer_id,
            _consumers.c.name,
            integrations.c.provider_id,
            _providers.c.name,
            integrations.c.created_at,
            integrations.c.contract_data_updated_at,
        )
        .join(_consumers, _consumers.c.id == integrations.c.consumer_id)
        .join(_providers, _providers.c.id == integrations.c.provider_id)
    )


def where(connection: Connection, *criteria: Any) -> list[Integration]:
    statement = _select().where(*criteria).order_by(_consumers.c.name, _providers.c.name)
    return [Integration(*row) for row in connection.execute(statement)]


def all_integrations(connection: Connection) -> list[Integration]:
    return where(connection)


def consumer_ids_of(connection: Connection, provider_id: int) -> list[int]:
    rows = connection.execute(sa.select(integrations.c.consumer_id).where(integrations.c.provider_id == provider_id))
    return [row.consumer_id for row in rows]


def find(connection: Connection, consumer_id: int, provider_id: int) -> Integration | None:
    found = where(connection, integrations.c.consumer_id == consumer_id, integrations.c.provider_id == provider_id)
    return found[0] if found else None


def record_contract_data(connection: Connection, consumer_id: int, provider_id: int) -> None:
    now = utcnow()
    upsert_touching(
        connection,
        integrations,
        {"consumer_id": consumer_id, "provider_id": provider_id, "created_at": now, "contract_data_updated_at": now},
        ["consumer_id", "provider_id"],
        ["contract_data_updated_at"],
    )


def delete(connection: Connection, consumer_id: int, provider_id: int) -> None:
    connection.execute(
        integrations.delete().where(
            integrations.c.consumer_id == consumer_id, integrations.c.provider_id == provider_id
        )
    )


def count(connection: Connection) -> int:
    return connection.execute(sa.select(sa.func.count()).select_from(integrations)).scalar_one()


def _like_pattern(search: str) -> str:
    """`search` lowered, with LIKE's wildcards escaped by "/" (what `autoescape` does for a literal)."""
    return search.lower().replace("/", "//").replace("%", "/%").replace("_", "/_")


def _searching() -> list[Any]:
    pattern = sa.bindparam("search", type_=sa.String())
    return [
        sa.or_(
            sa.func.lower(_consumers.c.name).contains(pattern, escape="/"),
            sa.func.lower(_providers.c.name).contains(pattern, escape="/"),
        )
    ]


@cache
def _page_statement(searching: bool) -> sa.Select[Any]:
    """The index's page of integrations, built once per shape (with or without a search): the
    index asks for it on every view, and building a statement costs as much CPU as running it."""
    return (
        _select()
        .where(*(_searching() if searching else []))
        .order_by(sa.func.lower(_consumers.c.name), sa.func.lower(_providers.c.name))
        .limit(sa.bindparam("limit", type_=sa.Integer()))
        .offset(sa.bindparam("offset", type_=sa.Integer()))
    )


@cache
def _count_statement(searching: bool) -> sa.Select[Any]:
    return (
        sa.select(sa.func.count())
        .select_from(integrations)
        .join(_consumers, _consumers.c.id == integrations.c.consumer_id)
        .join(_providers, _providers.c.id == integrations.c.provider_id)
        .where(*(_searching() if searching else []))
    )


def _search_parameters(search: str | None) -> dict[str, Any]:
    return {"search": _like_pattern(search)} if search else {}


def page(connection: Connection, search: str | None, limit: int, offset: int) -> list[Integration]:
    """Integrations whose consumer or provider name contains `search`, by consumer then provider name."""
    parameters = {**_search_parameters(search), "limit": limit, "offset": offset}
    return [Integration(*row) for row in connection.execute(_page_statement(bool(search)), parameters)]


def count_matching(connection: Connection, search: str | None) -> int:
    return connection.execute(_count_statement(bool(search)), _search_parameters(search)).scalar_one()


def involving(connection: Connection, pacticipant_id: int) -> list[Integration]:
    """Every integration the pacticipant takes part in, as consumer or as provider."""
    return where(
        connection, sa.or_(integrations.c.consumer_id == pacticipant_id, integrations.c.provider_id == pacticipant_id)
    )
