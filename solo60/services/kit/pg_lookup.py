"""Lookups by key on PostgreSQL run straight on the psycopg connection, past SQLAlchemy's execution layer.

A lookup through `Connection.execute` cost ~300 µs CPU, of which psycopg's own execute and
fetch were ~70-110 µs: the rest was SQLAlchemy building an execution context, a cursor result
and its metadata per call. A `Lookup` compiles its statement once for the engine's dialect and
keeps what SQLAlchemy would have applied per call: the SQL, the bind processors, the result
processors of the selected columns' types (`UtcDateTime` turns the server's timestamps to UTC)
and the row maker. Each call then costs the pool checkout, one psycopg execute and fetch, and
a `sa.Row` like the one `Connection.execute(...).first()` gives.

Statements whose SQL is completed per call (expanding `IN` parameters, literal binds) are not
supported: `compile_lookup` returns None for them and the caller uses SQLAlchemy's own path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.engine.result import result_tuple
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.util import await_

Processor = Callable[[Any], Any]
_CURSOR = "solo60.lookup_cursor"


@dataclass
class Lookup:
    """One SELECT compiled for PostgreSQL, with what each execution needs prepared beforehand."""

    compiled: sa.sql.compiler.Compiled
    sql: str
    bind_processors: dict[str, Processor]
    column_types: list[sa.types.TypeEngine[Any]] | None
    dialect: Dialect
    # Filled on the first execution, from the result's description (names and type oids).
    result_processors: list[tuple[int, Processor]] = field(default_factory=list)
    make_row: Callable[[Sequence[Any]], sa.Row[Any]] | None = None

    def parameters(self, values: dict[str, Any] | None) -> dict[str, Any]:
        """The driver's parameters: defaults filled in, names escaped, values bound as SQLAlchemy would."""
        try:
            bound = cast(dict[str, Any], self.compiled.construct_params(values, escape_names=True))
        except sa.exc.InvalidRequestError as error:  # a parameter left out: what `execute` raises for it
            raise sa.exc.StatementError(str(error), self.sql, values, error) from error
        for name, process in self.bind_processors.items():
            if name in bound:
                bound[name] = process(bound[name])
        return bound

    def row(self, cursor: psycopg.AsyncCursor[Any], values: Sequence[Any]) -> sa.Row[Any]:
        if self.make_row is None:
            self._describe(cursor)
        assert self.make_row is not None
        if self.result_processors:
            processed = list(values)
            for index, process in self.result_processors:
                processed[index] = process(processed[index])
            values = processed
        return self.make_row(values)

    def _describe(self, cursor: psycopg.AsyncCursor[Any]) -> None:
        description = cursor.description or []
        types = self.column_types if self.column_types and len(self.column_types) == len(description) else None
        processors: list[tuple[int, Processor]] = []
        if types is not None:
            for index, (column, type_) in enumerate(zip(description, types, strict=True)):
                process = type_.dialect_impl(self.dialect).result_processor(self.dialect, column.type_code)
                if process is not None:
                    processors.append((index, process))
        self.result_processors = processors
        self.make_row = result_tuple([column.name for column in description])


def compile_lookup(statement: sa.Executable, dialect: Dialect) -> Lookup | None:
    """`statement` compiled once for `dialect` (an initialised psycopg dialect), or None if it cannot be."""
    if not isinstance(statement, sa.Select | sa.TextClause | sa.sql.selectable.TextualSelect):
        return None
    compiled = statement.compile(dialect=dialect)
    if compiled.post_compile_params or compiled.literal_execute_params or "__[POSTCOMPILE_" in compiled.string:
        return None
    escaped = compiled.escaped_bind_names
    bind_processors: dict[str, Processor] = {}
    for name, bind in compiled.binds.items():
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            bind_processors[escaped.get(name, name)] = process
    columns = getattr(statement, "selected_columns", None)
    column_types = [column.type for column in columns] if columns is not None else None
    return Lookup(compiled, compiled.string, bind_processors, column_types, dialect)


def run_lookup(connection: PoolProxiedConnection, lookup: Lookup, values: dict[str, Any] | None) -> sa.Row[Any] | None:
    """The first row of `lookup` on a checked-out pool connection; call it inside SQLAlchemy's greenlet.

    Driver errors come out as SQLAlchemy's (`sa.exc.OperationalError`...), as from
    `Connection.execute`, with `connection_invalidated` set when the connection was found dead.
    """
    driver: psycopg.AsyncConnection[Any] = connection.driver_connection  # type: ignore[assignment]
    parameters = lookup.parameters(values)
    try:
        cursor = _cursor_of(connection, driver)
        await_(cursor.execute(lookup.sql, parameters))
        values_row = await_(cursor.fetchone())
        return None if values_row is None else lookup.row(cursor, values_row)
    except psycopg.Error as error:
        # The dialect asks the driver connection itself whether it is closed or broken.
        dead = lookup.dialect.is_disconnect(cast(Any, error), cast(Any, driver), None)
        raise sa.exc.DBAPIError.instance(
            lookup.sql, parameters, error, psycopg.Error, connection_invalidated=dead, dialect=lookup.dialect
        ) from error


def _cursor_of(connection: PoolProxiedConnection, driver: psycopg.AsyncConnection[Any]) -> psycopg.AsyncCursor[Any]:
    """One cursor per pooled connection, kept with it: a new cursor per lookup cost ~25 µs more.

    It only ever holds the last lookup's result, which the next one replaces.
    """
    kept = connection.info.get(_CURSOR)
    if kept is not None and kept[0] is driver and not kept[1].closed:
        return kept[1]
    cursor = driver.cursor()
    connection.info[_CURSOR] = (driver, cursor)
    return cursor
