"""The user service's tables and queries."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from solo60.services.kit import UtcDateTime, new_metadata, utc_now


class Base(DeclarativeBase):
    metadata = new_metadata()


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    email_key: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    roles: Mapped[list[str]] = mapped_column(sa.JSON)
    status: Mapped[str] = mapped_column(sa.String(16))
    email_verified: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    password_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


metadata = Base.metadata


class EmailTaken(Exception):
    """Another user already has this email address (compared case-insensitively)."""


def email_key(email: str) -> str:
    return email.strip().lower()


async def find_user(session: AsyncSession, user_id: str) -> UserRow | None:
    return await session.get(UserRow, user_id)


USERS = UserRow.__table__
BY_ID = sa.select(USERS).where(USERS.c.id == sa.bindparam("user_id"))


"""One user's row by id, for `Database.fetch_one(BY_ID, {"user_id": ...})` (the read path of the hot GET)."""

INSERT_USER = USERS.insert()
"""Built once: SQLAlchemy computes a new statement's cache key on every execution (the signup path)."""


async def find_user_by_email(session: AsyncSession, email: str) -> UserRow | None:
    return await session.scalar(sa.select(UserRow).where(UserRow.email_key == email_key(email)))


async def replace_user(session: AsyncSession, **fields: Any) -> dict[str, Any]:
    """Insert a user, first removing any with the same id or email: provider states seed this way."""
    email = str(fields["email"])
    await session.execute(
        sa.delete(UserRow).where(sa.or_(UserRow.id == fields.get("user_id"), UserRow.email_key == email_key(email)))
    )
    return await add_user(session, **fields)


async def add_user(
    session: AsyncSession | AsyncConnection,
    *,
    email: str,
    name: str,
    roles: list[str],
    status: str = "ACTIVE",
    email_verified: bool = False,
    user_id: str | None = None,
) -> dict[str, Any]:
    """Insert a user in an open session (provider states seed this way) and return its columns."""
    values = new_user(
        email=email, name=name, roles=roles, status=status, email_verified=email_verified, user_id=user_id
    )
    try:
        await session.execute(sa.insert(USERS), values)
    except IntegrityError as error:
        raise EmailTaken(email) from error
    return values


def insert_user(connection: sa.Connection, values: dict[str, Any]) -> dict[str, Any]:
    """Insert a user made by `new_user` and return it; the unique email key, not a prior lookup, decides a race.

    Synchronous, for `Database.write_core` (the signup path): a Core insert, not an ORM object
    and a flush, and no async hop per statement; the unit of work cost several times the INSERT.
    """
    try:
        connection.execute(INSERT_USER, values)
    except IntegrityError as error:
        raise EmailTaken(values["email"]) from error
    return values


def new_user(
    *,
    email: str,
    name: str,
    roles: list[str],
    status: str = "ACTIVE",
    email_verified: bool = False,
    user_id: str | None = None,
) -> dict[str, Any]:
    """A new user's columns: a fresh id unless one is given, created and updated now."""
    now = utc_now()
    return {
        "id": user_id or str(uuid.uuid4()),
        "email": email.strip(),
        "email_key": email_key(email),
        "name": name,
        "roles": roles,
        "status": status,
        "email_verified": email_verified,
        "password_changed_at": None,
        "created_at": now,
        "updated_at": now,
    }
