"""Insert-or-ignore and insert-or-update written once for both SQLite and PostgreSQL.

Concurrent publishers race to create the same pacticipant, branch or integration; letting the
database settle the race (ON CONFLICT) is what keeps every acknowledged publication intact.

Each statement's shape (table, columns, conflict target) is built once per dialect and cached,
and the values travel as parameters: building an upsert (its `excluded` alias above all) cost a
publish more CPU than running it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection


def _insert_for(dialect: str, table: sa.Table) -> Any:
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


def _insert(connection: Connection, table: sa.Table) -> Any:
    return _insert_for(connection.dialect.name, table)


@cache
def _ignoring(dialect: str, table: sa.Table, conflict: tuple[str, ...], returning: str | None) -> Any:
    statement = _insert_for(dialect, table).on_conflict_do_nothing(index_elements=list(conflict))
    return statement.returning(table.c[returning] if returning else sa.literal_column("1"))


@cache
def _ignoring_many(dialect: str, table: sa.Table, conflict: tuple[str, ...]) -> Any:
    return _insert_for(dialect, table).on_conflict_do_nothing(index_elements=list(conflict))


@cache
def _touching(dialect: str, table: sa.Table, conflict: tuple[str, ...], touched: tuple[str, ...]) -> Any:
    statement = _insert_for(dialect, table)
    return statement.on_conflict_do_update(
        index_elements=list(conflict), set_={column: statement.excluded[column] for column in touched}
    )


@cache
def _if_newer(dialect: str, table: sa.Table, columns: tuple[str, ...], conflict: tuple[str, ...], order: str) -> Any:
    statement = _insert_for(dialect, table)
    return statement.on_conflict_do_update(
        index_elements=list(conflict),
        set_={key: statement.excluded[key] for key in columns if key not in conflict},
        where=statement.excluded[order] >= table.c[order],
    )


def insert_ignoring_conflict(
    connection: Connection, table: sa.Table, values: Mapping[str, Any], conflict_columns: Sequence[str]
) -> bool:
    """Insert unless the row exists; True when this call inserted it."""
    statement = _ignoring(connection.dialect.name, table, tuple(conflict_columns), None)
    return connection.execute(statement, dict(values)).first() is not None


def insert_returning_id(
    connection: Connection, table: sa.Table, values: Mapping[str, Any], conflict_columns: Sequence[str]
) -> int | None:
    """Insert unless the row exists; the new row's id, or None when it already existed."""
    statement = _ignoring(connection.dialect.name, table, tuple(conflict_columns), "id")
    return connection.execute(statement, dict(values)).scalar()


def insert_many_ignoring_conflict(
    connection: Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]], conflict_columns: Sequence[str]
) -> None:
    """Insert each row unless it exists: one statement executed for all rows (executemany)."""
    if rows:
        statement = _ignoring_many(connection.dialect.name, table, tuple(conflict_columns))
        connection.execute(statement, [dict(row) for row in rows])


def upsert_touching(
    connection: Connection,
    table: sa.Table,
    values: Mapping[str, Any],
    conflict_columns: Sequence[str],
    touched: Sequence[str],
) -> None:
    """Insert, or on conflict only update the `touched` columns (timestamps)."""
    statement = _touching(connection.dialect.name, table, tuple(conflict_columns), tuple(touched))
    connection.execute(statement, dict(values))


def upsert_if_newer(
    connection: Connection,
    table: sa.Table,
    values: Mapping[str, Any],
    conflict_columns: Sequence[str],
    order_column: str,
) -> None:
    """Insert, or overwrite the existing row only when `order_column` does not go backwards."""
    upsert_many_if_newer(connection, table, [values], conflict_columns, order_column)


def upsert_many_if_newer(
    connection: Connection,
    table: sa.Table,
    rows: Sequence[Mapping[str, Any]],
    conflict_columns: Sequence[str],
    order_column: str,
) -> None:
    """`upsert_if_newer` for rows with the same keys, as one statement executed for all of them."""
    if not rows:
        return
    statement = _if_newer(connection.dialect.name, table, tuple(rows[0]), tuple(conflict_columns), order_column)
    connection.execute(statement, [dict(row) for row in rows])


@cache
def _insert_or_find(
    dialect: str, table: sa.Table, value_columns: tuple[str, ...], conflict: tuple[str, ...], columns: tuple[str, ...]
) -> tuple[Any, Any]:
    """(the insert-or-select statement, the plain select), keyed on parameters named `key_<column>`."""
    wanted = [table.c[name] for name in columns]
    key = [table.c[name] == sa.bindparam(f"key_{name}", type_=table.c[name].type) for name in conflict]
    values = {name: sa.bindparam(f"value_{name}", type_=table.c[name].type) for name in value_columns}
    insert = _insert_for(dialect, table).values(values).on_conflict_do_nothing(index_elements=list(conflict))
    select = sa.select(*wanted).where(*key)
    if dialect != "postgresql":
        return insert.returning(*wanted), select
    inserted = insert.returning(*wanted).cte("inserted")
    statement = sa.union_all(
        sa.select(*(inserted.c[name] for name in columns), sa.true().label("created")),
        sa.select(*wanted, sa.false().label("created")).where(*key, ~sa.exists(sa.select(inserted.c[columns[0]]))),
    )
    return statement, select


def insert_or_find(
    connection: Connection,
    table: sa.Table,
    values: Mapping[str, Any],
    conflict_columns: Sequence[str],
    columns: Sequence[str],
) -> tuple[sa.Row[Any], bool]:
    """The row with these `conflict_columns` values (its `columns`), inserted from `values` when
    missing; and whether this call inserted it.

    On PostgreSQL this is one round trip (a data-modifying CTE that inserts or else selects),
    which is what a publish mostly waits on; a row committed by a concurrent writer after this
    statement's snapshot is picked up by a second, plain SELECT. SQLite, in-process, inserts and
    then selects."""
    dialect = connection.dialect.name
    statement, select = _insert_or_find(dialect, table, tuple(values), tuple(conflict_columns), tuple(columns))
    parameters = {f"value_{name}": value for name, value in values.items()}
    keys = {f"key_{name}": values[name] for name in conflict_columns}
    row = connection.execute(statement, {**parameters, **keys}).first()
    if row is not None:
        return row, dialect != "postgresql" or bool(row.created)
    return connection.execute(select, keys).one(), False
