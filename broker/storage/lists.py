"""`column IN (list)` written so that PostgreSQL can reuse one prepared plan.

SQLAlchemy expands `IN` into one placeholder per value, so every list length is a different
statement text and PostgreSQL plans it afresh (which, on a busy machine, costs more than running
it). On PostgreSQL the list is sent as one array parameter (`= ANY(:ids)`), giving one text per
query and letting psycopg prepare it; SQLite keeps the plain `IN`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection


def one_of(connection: Connection, column: Any, values: Iterable[Any]) -> sa.ColumnElement[bool]:
    wanted = list(values)
    if connection.dialect.name == "postgresql":
        return column == sa.any_(sa.bindparam(None, wanted, type_=postgresql.ARRAY(column.type)))
    return column.in_(wanted)


def one_of_parameter(dialect_name: str, column: Any, name: str) -> sa.ColumnElement[bool]:
    """For statements built once per dialect: `column` is one of the list bound as `name`."""
    if dialect_name == "postgresql":
        return column == sa.any_(sa.bindparam(name, type_=postgresql.ARRAY(column.type)))
    return column.in_(sa.bindparam(name, expanding=True))


def in_subquery(dialect_name: str, column: Any, subquery: sa.Select[Any] | sa.CompoundSelect) -> sa.ColumnElement[bool]:
    """`column` is one of the rows of a (small) subquery. On PostgreSQL as `= ANY(ARRAY(...))`:
    the subquery then runs once, before the outer query, and its rows are looked up by index;
    as `IN (...)` the planner, misjudging how few rows it returns, scanned all of `column`'s
    table that matched the other conditions and hashed the two (a large integration's matrix
    spent most of its time there)."""
    if dialect_name == "postgresql":
        return column == sa.any_(sa.func.array(subquery.scalar_subquery()))
    return column.in_(subquery)
