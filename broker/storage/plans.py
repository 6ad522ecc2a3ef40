"""Statements planned once per connection on PostgreSQL, for the hot paths whose plans do not
depend on their parameters' values.

psycopg prepares a statement after a few runs, but PostgreSQL then keeps planning it afresh on
every run ("custom plans") whenever its generic plan looks dearer than the custom ones plus
their planning: a list bound as one array parameter (`= ANY(:ids)`, see `lists.py`) is assumed
to hold 10 values in a generic plan but holds one or a few, so the generic plan always looks
dearer, although it is the same plan (every step an index probe). can-i-deploy spent more time
on the server planning its five statements than running them.

`generic_plans` makes PostgreSQL plan the block's prepared statements once. Only blocks whose
statements are index probes by key (names, ids, short id lists) should use it: a generic plan
does not know a `LIMIT` or a time bound, and could be a poor choice for a range over a long
history. The setting is the session's: it is restored at the end of the block (and a
connection that cannot restore it is discarded, never returned to the pool in that mode).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection


@contextmanager
def generic_plans(connection: Connection) -> Iterator[None]:
    """PostgreSQL 12 or later (where the setting exists): the block's prepared statements use
    their generic plan; elsewhere nothing."""
    version = connection.dialect.server_version_info or (0,)
    if connection.dialect.name != "postgresql" or version < (12,):
        yield
        return
    connection.exec_driver_sql("SET plan_cache_mode = force_generic_plan")
    failed = False
    try:
        yield
    except BaseException:
        failed = True
        raise
    finally:
        try:
            connection.exec_driver_sql("RESET plan_cache_mode")
        except Exception:
            connection.invalidate()  # never back to the pool with the setting changed
            if not failed:  # else the block's own error is the one to report
                raise
