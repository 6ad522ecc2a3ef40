"""Provider states of the auth service: tokens and accounts in each state a caller can meet them in.

No pair in the design has auth as its provider yet; these states serve the service's own
tests, the fuzzing of its routes, and a future API gateway's pacts for the account flows.
Tokens are given in clear and stored as their digests, as real ones would be.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import Field, field_validator

from solo60.contracts.models import Id
from solo60.contracts.user import Role
from solo60.services.auth import passwords, storage
from solo60.services.auth.tokens import Purpose, token_digest
from solo60.services.kit import ProviderStates, StateParams, utc_now

states = ProviderStates("auth")


class TokenParams(StateParams):
    token: str = Field(default="valid-token-123", min_length=1, max_length=4096)
    user_id: str = Field(default="123", alias="userId")
    roles: str = Field(default="MEMBER", description="comma-separated roles")

    @field_validator("roles")
    @classmethod
    def _known_roles(cls, value: str) -> str:
        for role in _split(value):
            Role(role)
        return value


class ValidToken(TokenParams):
    expires_at: datetime | None = Field(default=None, alias="expiresAt", description="default: an hour from now")


class ExpiredToken(TokenParams):
    token: str = Field(default="expired-token-123", min_length=1, max_length=4096)


class RevokedToken(TokenParams):
    token: str = Field(default="revoked-token-123", min_length=1, max_length=4096)


@states.state("a valid token exists", params=ValidToken, operations=("POST /internal/auth/verify-token",))
async def a_valid_token_exists(runtime: Any, params: ValidToken) -> dict[str, Any]:
    """A live token of `userId` with `roles`, expiring at `expiresAt` (an hour from now by default)."""
    expires_at = _aware(params.expires_at) if params.expires_at else utc_now() + timedelta(hours=1)
    await _seed(runtime, params, expires_at=expires_at)
    return {"token": params.token, "userId": params.user_id, "expiresAt": expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")}


@states.state("an expired token exists", params=ExpiredToken, operations=("POST /internal/auth/verify-token",))
async def an_expired_token_exists(runtime: Any, params: ExpiredToken) -> dict[str, Any]:
    """A token of `userId` that expired an hour ago: introspection says it is not valid."""
    await _seed(runtime, params, expires_at=utc_now() - timedelta(hours=1))
    return {"token": params.token, "userId": params.user_id}


@states.state("a revoked token exists", params=RevokedToken, operations=("POST /internal/auth/verify-token",))
async def a_revoked_token_exists(runtime: Any, params: RevokedToken) -> dict[str, Any]:
    """A token of `userId` that has not expired but was revoked (signed out, or the password changed)."""
    await _seed(runtime, params, expires_at=utc_now() + timedelta(hours=1), revoked_at=utc_now())
    return {"token": params.token, "userId": params.user_id}


@states.state("no token exists")
async def no_token_exists(runtime: Any, params: None) -> None:
    """No tokens at all: every token introspects as not valid."""


async def _seed(runtime: Any, params: TokenParams, **times: datetime) -> None:
    async with runtime.db.write() as session:
        await storage.replace_access_token(
            session,
            digest=token_digest(params.token),
            user_id=params.user_id,
            roles=sorted(set(_split(params.roles))),
            **times,
        )


def _split(roles: str) -> list[str]:
    return [role.strip() for role in roles.split(",") if role.strip()]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class AccountParams(StateParams):
    user_id: Id = Field(default="123", alias="userId")
    email: str = Field(default="ada@example.com", min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    password: str = Field(default="correct horse battery", min_length=8, max_length=1024)


class MailedTokenParams(AccountParams):
    token: str = Field(default="mailed-token-123", min_length=1, max_length=512, pattern=r"^[\x21-\x7e]+$")
    spent: Literal["no", "used", "expired"] = Field(default="no", description="whether the link was used or expired")


@states.state("an account exists", params=AccountParams)
async def an_account_exists(runtime: Any, params: AccountParams) -> dict[str, Any]:
    """Credentials of `userId` for `email` with `password` (the user itself lives in the user service)."""
    await _account(runtime, params)
    return {"userId": params.user_id, "email": params.email}


@states.state(
    "a password reset link was mailed",
    params=MailedTokenParams,
    operations=("POST /internal/auth/password-reset/confirm",),
)
async def a_password_reset_link_was_mailed(runtime: Any, params: MailedTokenParams) -> dict[str, Any]:
    """An account whose mailed reset link carries `token`; `spent` makes it used or expired."""
    return await _mailed(runtime, params, Purpose.PASSWORD_RESET)


@states.state(
    "an email confirmation link was mailed", params=MailedTokenParams, operations=("POST /internal/auth/verify-email",)
)
async def an_email_confirmation_link_was_mailed(runtime: Any, params: MailedTokenParams) -> dict[str, Any]:
    """An account whose mailed email-confirmation link carries `token`; `spent` makes it used or expired."""
    return await _mailed(runtime, params, Purpose.EMAIL_VERIFICATION)


async def _account(runtime: Any, params: AccountParams) -> None:
    password_hash = await passwords.hash_password(params.password)
    async with runtime.db.write() as session:
        await storage.forget_account(session, user_id=params.user_id, email=params.email)
        await storage.add_credentials(session, user_id=params.user_id, email=params.email, password_hash=password_hash)


async def _mailed(runtime: Any, params: MailedTokenParams, purpose: Purpose) -> dict[str, Any]:
    await _account(runtime, params)
    now = utc_now()
    async with runtime.db.write() as session:
        await storage.add_one_time_token(
            session,
            digest=token_digest(params.token),
            purpose=purpose.value,
            user_id=params.user_id,
            expires_at=now - timedelta(minutes=1) if params.spent == "expired" else now + timedelta(hours=1),
        )
        if params.spent == "used":
            await storage.redeem_one_time_token(session, digest=token_digest(params.token), purpose=purpose.value)
    return {"userId": params.user_id, "email": params.email, "token": params.token}
