"""The shared SQLAlchemy metadata and the column types every domain's tables use.

Each domain declares its own tables in its `tables.py` against this one `metadata`, so Alembic
sees the whole schema while the code that owns a table stays next to the logic that uses it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

NAME_LENGTH = 255


class UtcDateTime(sa.TypeDecorator[datetime]):
    """Stores naive UTC and hands back aware UTC, so SQLite and PostgreSQL compare alike."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class JsonText(sa.TypeDecorator[Any]):
    """JSON kept as text: portable, and stored exactly as serialised (no key reordering)."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return json.loads(value)


def utcnow() -> datetime:
    return datetime.now(UTC)


def name_column(name: str = "name", *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(NAME_LENGTH), nullable=nullable)


def created_at_column() -> sa.Column[datetime]:
    return sa.Column("created_at", UtcDateTime(), nullable=False, default=utcnow)
