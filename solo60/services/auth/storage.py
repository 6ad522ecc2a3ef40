"""The auth service's tables and queries: credentials, access tokens, single-use tokens.

The user service owns who a user is; auth keeps only what proves it: a password hash per
user, the digests of the access tokens it issued, and the digests of the single-use tokens
that email verification and password reset mail out. No secret is stored in clear: a mail
carrying a token waits in the outbox only until it is handed to the communication service,
then its payload is scrubbed (see `mail_outbox`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from solo60.services.kit import UtcDateTime, idempotency_table, new_metadata, outbox_table, utc_now


class Base(DeclarativeBase):
    metadata = new_metadata()


class CredentialRow(Base):
    __tablename__ = "credentials"

    user_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    email_key: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    password_changed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AccessTokenRow(Base):
    __tablename__ = "access_tokens"

    digest: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    roles: Mapped[list[str]] = mapped_column(sa.JSON)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class OneTimeTokenRow(Base):
    __tablename__ = "one_time_tokens"

    digest: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(sa.String(32))
    user_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


metadata = Base.metadata
idempotency_records = idempotency_table(metadata)
outbox = outbox_table(metadata)


class EmailTaken(Exception):
    """Credentials already exist for this email address (compared case-insensitively)."""


def email_key(email: str) -> str:
    return email.strip().lower()


# -- credentials ----------------------------------------------------------------------------


async def add_credentials(session: AsyncSession, *, user_id: str, email: str, password_hash: str) -> CredentialRow:
    """The unique email key, not a prior lookup, settles two signups racing for one address."""
    now = utc_now()
    row = CredentialRow(
        user_id=user_id,
        email_key=email_key(email),
        password_hash=password_hash,
        password_changed_at=now,
        created_at=now,
    )
    session.add(row)
    try:
        await session.flush()
    except IntegrityError as error:
        raise EmailTaken(email) from error
    return row


async def find_credentials(session: AsyncSession, user_id: str) -> CredentialRow | None:
    return await session.get(CredentialRow, user_id)


async def find_credentials_by_email(session: AsyncSession, email: str) -> CredentialRow | None:
    return await session.scalar(sa.select(CredentialRow).where(CredentialRow.email_key == email_key(email)))


async def set_password_hash(session: AsyncSession, user_id: str, password_hash: str) -> datetime | None:
    """The change time, or None when the user has no credentials."""
    now = utc_now()
    changed = await _changed(
        session,
        sa.update(CredentialRow)
        .where(CredentialRow.user_id == user_id)
        .values(password_hash=password_hash, password_changed_at=now),
    )
    return now if changed == 1 else None


async def forget_account(session: AsyncSession, *, user_id: str, email: str) -> None:
    """Remove the credentials and tokens of the user, and any credentials for the address (provider states)."""
    doomed = sa.select(CredentialRow.user_id).where(
        sa.or_(CredentialRow.user_id == user_id, CredentialRow.email_key == email_key(email))
    )
    owners = [user_id, *(await session.scalars(doomed))]
    await session.execute(sa.delete(OneTimeTokenRow).where(OneTimeTokenRow.user_id.in_(owners)))
    await session.execute(sa.delete(AccessTokenRow).where(AccessTokenRow.user_id.in_(owners)))
    await session.execute(sa.delete(CredentialRow).where(CredentialRow.user_id.in_(owners)))


# -- access tokens --------------------------------------------------------------------------


async def add_access_token(
    session: AsyncSession,
    *,
    digest: str,
    user_id: str,
    roles: list[str],
    expires_at: datetime,
    revoked_at: datetime | None = None,
) -> AccessTokenRow:
    row = AccessTokenRow(
        digest=digest,
        user_id=user_id,
        roles=roles,
        issued_at=utc_now(),
        expires_at=expires_at,
        revoked_at=revoked_at,
    )
    session.add(row)
    await session.flush()
    return row


async def replace_access_token(session: AsyncSession, **fields: object) -> AccessTokenRow:
    """Insert a token, first removing one with the same digest: provider states seed this way."""
    await session.execute(sa.delete(AccessTokenRow).where(AccessTokenRow.digest == fields["digest"]))
    return await add_access_token(session, **fields)  # type: ignore[arg-type]


async def find_access_token(session: AsyncSession, digest: str) -> AccessTokenRow | None:
    return await session.get(AccessTokenRow, digest)


async def revoke_access_token(session: AsyncSession, digest: str) -> bool:
    changed = await _changed(
        session,
        sa.update(AccessTokenRow)
        .where(AccessTokenRow.digest == digest, AccessTokenRow.revoked_at.is_(None))
        .values(revoked_at=utc_now()),
    )
    return changed == 1


async def revoke_access_tokens_of(session: AsyncSession, user_id: str) -> int:
    """Revoke every live token of a user (after a password change); the count revoked."""
    changed = await _changed(
        session,
        sa.update(AccessTokenRow)
        .where(AccessTokenRow.user_id == user_id, AccessTokenRow.revoked_at.is_(None))
        .values(revoked_at=utc_now()),
    )
    return changed


# -- single-use tokens ----------------------------------------------------------------------


async def add_one_time_token(
    session: AsyncSession, *, digest: str, purpose: str, user_id: str, expires_at: datetime
) -> OneTimeTokenRow:
    """A new single-use token; earlier unused ones of the same user and purpose stop working."""
    now = utc_now()
    await session.execute(
        sa.update(OneTimeTokenRow)
        .where(
            OneTimeTokenRow.user_id == user_id,
            OneTimeTokenRow.purpose == purpose,
            OneTimeTokenRow.used_at.is_(None),
            OneTimeTokenRow.expires_at > now,
        )
        .values(expires_at=now)
    )
    row = OneTimeTokenRow(digest=digest, purpose=purpose, user_id=user_id, created_at=now, expires_at=expires_at)
    session.add(row)
    await session.flush()
    return row


async def find_one_time_token(session: AsyncSession, digest: str) -> OneTimeTokenRow | None:
    return await session.get(OneTimeTokenRow, digest)


async def redeem_one_time_token(session: AsyncSession, *, digest: str, purpose: str) -> str | None:
    """Mark the token used and return its user, or None if it is unknown, expired or already used.

    The conditional UPDATE is what makes it single use: of two concurrent redemptions, only one
    finds `used_at` still empty (PostgreSQL re-checks the condition after the row lock).
    """
    row = await session.get(OneTimeTokenRow, digest)
    if row is None or row.purpose != purpose:
        return None
    now = utc_now()
    changed = await _changed(
        session,
        sa.update(OneTimeTokenRow)
        .where(
            OneTimeTokenRow.digest == digest,
            OneTimeTokenRow.used_at.is_(None),
            OneTimeTokenRow.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False),
    )
    return row.user_id if changed == 1 else None


async def _changed(session: AsyncSession, statement: sa.Executable) -> int:
    """How many rows an UPDATE or DELETE changed: what the conditional statements are judged by."""
    result = cast(CursorResult[Any], await session.execute(statement))
    return result.rowcount
