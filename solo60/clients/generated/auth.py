"""The auth service's client, written by `solo60 codegen` from `solo60/contracts/auth.py`."""

from __future__ import annotations

from solo60.clients._base import ServiceClient
from solo60.contracts.auth import (
    Account,
    AuthServiceContract,
    EmailVerified,
    PasswordChanged,
    PasswordResetAccepted,
    PasswordResetConfirmation,
    PasswordResetRequest,
    Signup,
    TokenIntrospection,
    VerifyEmail,
    VerifyToken,
)


class AuthClient(ServiceClient):
    """Calls the Solo60 auth service. Credentials and tokens: the other services ask it whether a user's token is
    valid.
    """

    service = "auth"

    async def verify_token(self, body: VerifyToken) -> TokenIntrospection:
        """Introspect a bearer token.

        Answers 200 for any well-formed request: an unknown, expired or revoked token is `{"valid": false}` with no
        other detail, so a caller cannot probe why (RFC 7662). Only a malformed request is refused, with 400.
        Read-only, so safe to retry.
        """
        return await self._call(AuthServiceContract.verify_token, body=body)

    async def signup(self, body: Signup, *, idempotency_key: str | None = None) -> Account:
        """Sign a new member up.

        Creates the user in the user service, stores the password hash and mails an EMAIL_CONFIRMATION link (through
        the outbox: a mail service outage delays the mail, never the signup). An address that already has an account
        is 409 and nothing is stored or mailed. When the user service is unreachable the answer is 503 and nothing is
        stored: retry with the same `Idempotency-Key`. The password is not part of the key's fingerprint, so it is
        never kept, even hashed quickly.
        """
        return await self._call(AuthServiceContract.signup, body=body, idempotency_key=idempotency_key)

    async def request_password_reset(
        self,
        body: PasswordResetRequest,
        *,
        idempotency_key: str | None = None,
    ) -> PasswordResetAccepted:
        """Mail a password reset link.

        Answers 202 with the same body whether or not the address belongs to a member; only a member gets a
        PASSWORD_RESET mail, with a single-use link that expires after `expiresInMinutes`. A new request replaces the
        previous link. The address is looked up in the user service (503 when it is unreachable, for every address
        alike).
        """
        return await self._call(AuthServiceContract.request_password_reset, body=body, idempotency_key=idempotency_key)

    async def confirm_password_reset(
        self,
        body: PasswordResetConfirmation,
        *,
        idempotency_key: str | None = None,
    ) -> PasswordChanged:
        """Set a new password with a mailed reset token.

        Stores the new password's hash, revokes every access token of the member, tells the user service
        `passwordChangedAt` and mails PASSWORD_RESET_CONFIRMATION (both through the outbox). A token that does not
        exist is 404; one already used, or expired (a newer link replaces an older one), is 409 with a message saying
        which, so the caller can offer a new link.
        """
        return await self._call(AuthServiceContract.confirm_password_reset, body=body, idempotency_key=idempotency_key)

    async def verify_email(self, body: VerifyEmail, *, idempotency_key: str | None = None) -> EmailVerified:
        """Confirm a member's email address with the mailed token.

        Marks the user verified in the user service (`emailVerified: true`), spends the token and mails
        ACCOUNT_VERIFICATION. When the user service is unreachable the answer is 503 and the token stays valid. A
        token that does not exist is 404; one already used, or expired (a newer link replaces an older one), is 409
        with a message saying which, so the caller can offer a new link.
        """
        return await self._call(AuthServiceContract.verify_email, body=body, idempotency_key=idempotency_key)
