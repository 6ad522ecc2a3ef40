"""Run the Alembic migrations kept inside the package, without an alembic.ini.

Several broker processes may start together on one fresh PostgreSQL database; the first takes an
advisory lock and migrates, the others wait for it and then find nothing left to do.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from broker.storage.locks import session_lock

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
MIGRATION_LOCK = "broker-migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


@cache
def head_revisions() -> frozenset[str]:
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def upgrade_to_head(engine: Engine) -> None:
    config = alembic_config()
    with engine.connect() as connection, session_lock(connection, MIGRATION_LOCK):
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        connection.commit()


def is_at_head(engine: Engine) -> bool:
    """The database answers and carries exactly this code's head revision(s)."""
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                # no transaction to roll back afterwards: a rollback makes psycopg drop the
                # statements it prepared on this pooled connection (see the /health resource)
                connection.execution_options(isolation_level="AUTOCOMMIT")
            current = MigrationContext.configure(connection).get_current_heads()
    except sa.exc.SQLAlchemyError:
        return False
    return frozenset(current) == head_revisions()
