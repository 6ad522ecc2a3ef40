"""Insert-or-ignore and insert-or-update written once for both SQLite and PostgreSQL.

Concurrent publishers race to create the same pacticipant, branch or integration; letting the
database settle the race (ON CONFLICT) is what keeps every acknowledged publication intact.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection


def _insert(connection: Connection, table: sa.Table) -> Any:
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def insert_ignoring_conflict(
    connection: Connection, table: sa.Table, values: Mapping[str, Any], conflict_columns: Sequence[str]
) -> bool:
    """Insert unless the row exists; True when this call inserted it."""
    statement = (
        _insert(connection, table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=conflict_columns)
        .returning(sa.literal_column("1"))
    )
    return connection.execute(statement).first() is not None


def insert_returning_id(
    connection: Connection, table: sa.Table, values: Mapping[str, Any], conflict_columns: Sequence[str]
) -> int | None:
    """Insert unless the row exists; the new row's id, or None when it already existed."""
    statement = (
        _insert(connection, table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=conflict_columns)
        .returning(table.c.id)
    )
    return connection.execute(statement).scalar()


def upsert_touching(
    connection: Connection,
    table: sa.Table,
    values: Mapping[str, Any],
    conflict_columns: Sequence[str],
    touched: Sequence[str],
) -> None:
    """Insert, or on conflict only update the `touched` columns (timestamps)."""
    statement = _insert(connection, table).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=conflict_columns, set_={column: statement.excluded[column] for column in touched}
    )
    connection.execute(statement)


def upsert_if_newer(
    connection: Connection,
    table: sa.Table,
    values: Mapping[str, Any],
    conflict_columns: Sequence[str],
    order_column: str,
) -> None:
    """Insert, or overwrite the existing row only when `order_column` does not go backwards."""
    statement = _insert(connection, table).values(**values)
    update = {key: statement.excluded[key] for key in values if key not in conflict_columns}
    statement = statement.on_conflict_do_update(
        index_elements=conflict_columns,
        set_=update,
        where=statement.excluded[order_column] >= table.c[order_column],
    )
    connection.execute(statement)


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
    wanted = [table.c[name] for name in columns]
    key = [table.c[name] == values[name] for name in conflict_columns]
    insert = _insert(connection, table).values(**values).on_conflict_do_nothing(index_elements=conflict_columns)
    if connection.dialect.name == "postgresql":
        inserted = insert.returning(*wanted).cte("inserted")
        statement = sa.union_all(
            sa.select(*(inserted.c[name] for name in columns), sa.true().label("created")),
            sa.select(*wanted, sa.false().label("created")).where(*key, ~sa.exists(sa.select(inserted.c[columns[0]]))),
        )
        row = connection.execute(statement).first()
        if row is not None:
            return row, bool(row.created)
    else:
        row = connection.execute(insert.returning(*wanted)).first()
        if row is not None:
            return row, True
    return connection.execute(sa.select(*wanted).where(*key)).one(), False
