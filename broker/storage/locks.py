"""PostgreSQL advisory locks: how several broker processes on one database take turns.

Three things must happen once however many instances run: migrations (else two instances on a
fresh database both create `alembic_version`), the scheduled clean-up, and a recording that reads
then writes (a deployment replaces the one in its slot). Advisory locks serialise them without
touching any table. Keys are derived from the current schema and a purpose, so two brokers
sharing a database server in different schemas never wait for each other.

SQLite needs none of this: one process owns the file and its writers already queue on
`BEGIN IMMEDIATE`, so every function here is a no-op there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import Connection

_KEY = "hashtextextended(current_schema() || ':' || :purpose, 0)"


def _postgres(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


@contextmanager
def session_lock(connection: Connection, purpose: str, *, wait: bool = True) -> Iterator[bool]:
    """Hold `purpose`'s lock for the block on this connection (across its transactions).

    Yields False, without blocking, when `wait` is False and another session holds it."""
    if not _postgres(connection):
        yield True
        return
    function = "pg_advisory_lock" if wait else "pg_try_advisory_lock"
    acquired = connection.execute(sa.text(f"SELECT {function}({_KEY})"), {"purpose": purpose}).scalar()
    connection.commit()
    held = wait or acquired is True  # pg_advisory_lock returns (void) only once it holds the lock
    try:
        yield held
    finally:
        if held:
            connection.rollback()  # a failed block may leave the transaction aborted
            connection.execute(sa.text(f"SELECT pg_advisory_unlock({_KEY})"), {"purpose": purpose})
            connection.commit()


def transaction_lock(connection: Connection, purpose: str, key: int | str) -> None:
    """Serialise the rest of this transaction with any other doing `purpose` for `key`; the
    lock is released at commit or rollback."""
    if _postgres(connection):
        connection.execute(
            sa.text("SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || ':' || :purpose, 0))"),
            {"purpose": f"{purpose}:{key}"},
        )
