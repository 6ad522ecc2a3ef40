"""The auth service's implementation of its contract; each account flow lives in its own module."""

from __future__ import annotations

from solo60.contracts.auth import (
    AuthServiceContract,
    PasswordResetConfirmation,
    PasswordResetRequest,
    Signup,
    TokenIntrospection,
    VerifyEmail,
    VerifyToken,
)
from solo60.services.auth import accounts, email_verification, password_reset, signup
from solo60.services.kit import Reply, ServiceRoutes, implements

api = AuthServiceContract


class AuthRoutes(ServiceRoutes):
    contract = AuthServiceContract

    @implements(api.verify_token)
    async def verify_token(self, body: VerifyToken) -> TokenIntrospection:
        async with self.runtime.db.read() as session:
            found = await accounts.introspect(session, body.token)
        return TokenIntrospection(
            valid=found.valid, user_id=found.user_id, roles=found.roles, expires_at=found.expires_at
        )

    @implements(api.signup)
    async def signup(self, body: Signup, idempotency_key: str) -> Reply:
        return await signup.sign_up(self.runtime, body, idempotency_key)

    @implements(api.request_password_reset)
    async def request_password_reset(self, body: PasswordResetRequest, idempotency_key: str) -> Reply:
        return await password_reset.request_reset(self.runtime, body, idempotency_key)

    @implements(api.confirm_password_reset)
    async def confirm_password_reset(self, body: PasswordResetConfirmation, idempotency_key: str) -> Reply:
        return await password_reset.confirm_reset(self.runtime, body, idempotency_key)

    @implements(api.verify_email)
    async def verify_email(self, body: VerifyEmail, idempotency_key: str) -> Reply:
        return await email_verification.verify_email(self.runtime, body, idempotency_key)
