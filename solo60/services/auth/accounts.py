"""The account operations the auth flows are built from: credentials, access tokens, reset and verification.

Each takes the caller's session, so a flow composes several of them in one transaction
(a password reset redeems its token, stores the new hash and revokes the old tokens, or
does none of it). Password hashes are computed by the caller beforehand with
`passwords.hash_password`, never inside a transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy.ext.asyncio import AsyncSession

from solo60.services.auth import passwords, storage
from solo60.services.auth.tokens import Purpose, new_access_token, new_one_time_token, token_digest
from solo60.services.kit import utc_now

ACCESS_TOKEN_LIFETIME = timedelta(hours=1)
ONE_TIME_TOKEN_LIFETIMES = {
    Purpose.EMAIL_VERIFICATION: timedelta(hours=24),
    Purpose.PASSWORD_RESET: timedelta(hours=1),
}


@dataclass(frozen=True)
class IssuedToken:
    """A token as handed to its holder: the only moment it exists in clear."""

    token: str
    user_id: str
    expires_at: datetime


@dataclass(frozen=True)
class Introspection:
    valid: bool
    user_id: str | None = None
    roles: list[str] = field(default_factory=list)
    expires_at: datetime | None = None


INVALID = Introspection(valid=False)


async def register(session: AsyncSession, *, user_id: str, email: str, password_hash: str) -> None:
    """Store a new user's credentials; raises `storage.EmailTaken` for an address already registered."""
    await storage.add_credentials(session, user_id=user_id, email=email, password_hash=password_hash)


async def authenticate(session: AsyncSession, *, email: str, password: str) -> str | None:
    """The user id if the password is right; an unknown email costs the same time as a wrong password."""
    row = await storage.find_credentials_by_email(session, email)
    matches = await passwords.password_matches(password, row.password_hash if row else _unusable_hash())
    return row.user_id if row is not None and matches else None


@cache
def _unusable_hash() -> str:
    return passwords.hash_password_now(new_one_time_token())


async def issue_access_token(
    session: AsyncSession,
    *,
    user_id: str,
    roles: list[str],
    lifetime: timedelta = ACCESS_TOKEN_LIFETIME,
) -> IssuedToken:
    token = new_access_token()
    expires_at = utc_now() + lifetime
    await storage.add_access_token(
        session, digest=token_digest(token), user_id=user_id, roles=sorted(set(roles)), expires_at=expires_at
    )
    return IssuedToken(token=token, user_id=user_id, expires_at=expires_at)


async def introspect(session: AsyncSession, token: str, *, now: datetime | None = None) -> Introspection:
    """What the token proves right now: nothing once it is unknown, expired or revoked."""
    row = await storage.find_access_token(session, token_digest(token))
    now = now or utc_now()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return INVALID
    return Introspection(valid=True, user_id=row.user_id, roles=list(row.roles), expires_at=row.expires_at)


async def revoke(session: AsyncSession, token: str) -> bool:
    """Sign-out: whether a live token was revoked."""
    return await storage.revoke_access_token(session, token_digest(token))


async def issue_one_time_token(
    session: AsyncSession, *, user_id: str, purpose: Purpose, lifetime: timedelta | None = None
) -> IssuedToken:
    """A token to mail to the user; it replaces any earlier unused one of the same purpose."""
    token = new_one_time_token()
    expires_at = utc_now() + (lifetime or ONE_TIME_TOKEN_LIFETIMES[purpose])
    await storage.add_one_time_token(
        session, digest=token_digest(token), purpose=purpose.value, user_id=user_id, expires_at=expires_at
    )
    return IssuedToken(token=token, user_id=user_id, expires_at=expires_at)


async def verify_email(session: AsyncSession, token: str) -> str | None:
    """The user whose address the token proves, once; None for an unknown, expired or used token."""
    return await storage.redeem_one_time_token(
        session, digest=token_digest(token), purpose=Purpose.EMAIL_VERIFICATION.value
    )


@dataclass(frozen=True)
class PasswordReset:
    user_id: str
    changed_at: datetime
    revoked_tokens: int


async def reset_password(session: AsyncSession, *, token: str, password_hash: str) -> PasswordReset | None:
    """Redeem a reset token, store the new hash and revoke every access token of the user, or do nothing."""
    user_id = await storage.redeem_one_time_token(
        session, digest=token_digest(token), purpose=Purpose.PASSWORD_RESET.value
    )
    if user_id is None:
        return None
    changed_at = await storage.set_password_hash(session, user_id, password_hash)
    if changed_at is None:
        return None  # a token for a user without credentials: it is spent, and nothing changes
    revoked = await storage.revoke_access_tokens_of(session, user_id)
    return PasswordReset(user_id=user_id, changed_at=changed_at, revoked_tokens=revoked)
