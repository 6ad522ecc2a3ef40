"""The auth service's internal API: whether a bearer token is valid, and the account flows.

The account flows (signup, password reset, email verification) are command routes the API
gateway calls on a member's behalf. They send mail, so they take an `Idempotency-Key`: a
gateway that retries after a timeout gets the first answer, not a second mail.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints

from solo60.contracts.errors import ErrorCode
from solo60.contracts.models import Email, Id, RequestModel, ResponseModel, Timestamp
from solo60.contracts.route import Contract, Route
from solo60.contracts.user import Role

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024

BearerToken = Annotated[
    str,
    StringConstraints(min_length=1, max_length=4096, pattern=r"^[\x21-\x7e]+$"),
    Field(description="The token as the user presented it: printable ASCII without spaces, at most 4096 characters."),
]


Password = Annotated[
    str,
    StringConstraints(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH),
    Field(description=f"{MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters; never stored or logged in clear."),
]

MemberName = Annotated[
    str,
    StringConstraints(
        min_length=1,
        max_length=200,
        strip_whitespace=True,
        pattern=r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$",
    ),
    Field(description="How the member is greeted: up to 200 characters, not only spaces, no control characters."),
]

MailedToken = Annotated[
    str,
    StringConstraints(min_length=1, max_length=512, pattern=r"^[\x21-\x7e]+$"),
    Field(description="The single-use token from the link the member received by mail."),
]


class VerifyToken(RequestModel):
    """The token to introspect."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"token": "s60_at_Jq3v9cXb2Wm1TzY8kQe4nR7sLd0pHf6u"}]})

    token: BearerToken


class TokenIntrospection(ResponseModel):
    """Whether the token is valid now; the other fields are only set for a valid token (as in RFC 7662)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "valid": True,
                    "userId": "5b0e8a52-3c41-4d2e-9b7f-0c6a1e2d3f40",
                    "roles": ["MEMBER"],
                    "expiresAt": "2025-01-02T04:04:05Z",
                },
                {"valid": False, "userId": None, "roles": [], "expiresAt": None},
            ]
        }
    )

    valid: bool
    user_id: Id | None = None
    roles: list[Role] = Field(default_factory=list)
    expires_at: Timestamp | None = None


class Signup(RequestModel):
    """A new member: the user is created in the user service, the password hash is kept here."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"email": "ada@example.com", "name": "Ada Lovelace", "password": "correct horse battery"}]
        }
    )

    email: Email
    name: MemberName
    password: Password


class Account(ResponseModel):
    """The member's account after signup; the email address is confirmed through the mailed link."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "userId": "5b0e8a52-3c41-4d2e-9b7f-0c6a1e2d3f40",
                    "email": "ada@example.com",
                    "name": "Ada Lovelace",
                    "emailVerified": False,
                }
            ]
        }
    )

    user_id: Id
    email: Email
    name: str
    email_verified: bool


class PasswordResetRequest(RequestModel):
    """Who forgot their password: a reset link is mailed if the address belongs to a member."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"email": "ada@example.com"}]})

    email: Email


class PasswordResetAccepted(ResponseModel):
    """The same answer whether or not the address belongs to a member, so the route reveals nothing."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"message": "If the address belongs to an account, a reset link is on its way.", "expiresInMinutes": 60}
            ]
        }
    )

    message: str
    expires_in_minutes: int = Field(description="How long a mailed reset link stays valid.")


class PasswordResetConfirmation(RequestModel):
    """The mailed reset token and the new password."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"token": "s60_ot_Xw2c9VbQk3Lm8RtY1pZa7sDf4gHj6kLq0nB5vC2xE9", "password": "a new one, long"}]
        }
    )

    token: MailedToken
    password: Password


class PasswordChanged(ResponseModel):
    """The password is changed and every access token of the member is revoked."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"userId": "5b0e8a52-3c41-4d2e-9b7f-0c6a1e2d3f40", "passwordChangedAt": "2025-01-02T03:04:05Z"}
            ]
        }
    )

    user_id: Id
    password_changed_at: Timestamp


class VerifyEmail(RequestModel):
    """The token from the email-confirmation link."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"token": "s60_ot_Jq3v9cXb2Wm1TzY8kQe4nR7sLd0pHf6uA1"}]})

    token: MailedToken


class EmailVerified(ResponseModel):
    """The member's address is confirmed (the user service says `emailVerified: true`)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"userId": "5b0e8a52-3c41-4d2e-9b7f-0c6a1e2d3f40", "emailVerified": True}]}
    )

    user_id: Id
    email_verified: bool


_SPENT_TOKEN = (
    "A token that does not exist is 404; one already used, or expired (a newer link replaces an older one), is "
    "409 with a message saying which, so the caller can offer a new link."
)


class AuthServiceContract(Contract):
    service = "auth"
    title = "Solo60 auth service"
    description = "Credentials and tokens: the other services ask it whether a user's token is valid."

    verify_token = Route(
        "POST",
        "/internal/auth/verify-token",
        summary="Introspect a bearer token",
        description=(
            "Answers 200 for any well-formed request: an unknown, expired or revoked token is "
            '`{"valid": false}` with no other detail, so a caller cannot probe why (RFC 7662). '
            "Only a malformed request is refused, with 400. Read-only, so safe to retry."
        ),
        body=VerifyToken,
        responses={200: TokenIntrospection},
        idempotent=True,
    )
    signup = Route(
        "POST",
        "/internal/auth/signup",
        summary="Sign a new member up",
        description=(
            "Creates the user in the user service, stores the password hash and mails an EMAIL_CONFIRMATION link "
            "(through the outbox: a mail service outage delays the mail, never the signup). An address that "
            "already has an account is 409 and nothing is stored or mailed. When the user service is "
            "unreachable the answer is 503 and nothing is stored: retry with the same `Idempotency-Key`. The "
            "password is not part of the key's fingerprint, so it is never kept, even hashed quickly."
        ),
        body=Signup,
        responses={201: Account},
        errors=[ErrorCode.CONFLICT],
        idempotency_key=True,
        calls_upstream=True,
    )
    request_password_reset = Route(
        "POST",
        "/internal/auth/password-reset",
        summary="Mail a password reset link",
        description=(
            "Answers 202 with the same body whether or not the address belongs to a member; only a member gets a "
            "PASSWORD_RESET mail, with a single-use link that expires after `expiresInMinutes`. A new request "
            "replaces the previous link. The address is looked up in the user service (503 when it is "
            "unreachable, for every address alike)."
        ),
        body=PasswordResetRequest,
        responses={202: PasswordResetAccepted},
        idempotency_key=True,
        calls_upstream=True,
    )
    confirm_password_reset = Route(
        "POST",
        "/internal/auth/password-reset/confirm",
        summary="Set a new password with a mailed reset token",
        description=(
            "Stores the new password's hash, revokes every access token of the member, tells the user service "
            "`passwordChangedAt` and mails PASSWORD_RESET_CONFIRMATION (both through the outbox). " + _SPENT_TOKEN
        ),
        body=PasswordResetConfirmation,
        responses={200: PasswordChanged},
        errors=[ErrorCode.NOT_FOUND, ErrorCode.CONFLICT],
        idempotency_key=True,
    )
    verify_email = Route(
        "POST",
        "/internal/auth/verify-email",
        summary="Confirm a member's email address with the mailed token",
        description=(
            "Marks the user verified in the user service (`emailVerified: true`), spends the token and mails "
            "ACCOUNT_VERIFICATION. When the user service is unreachable the answer is 503 and the token stays "
            "valid. " + _SPENT_TOKEN
        ),
        body=VerifyEmail,
        responses={200: EmailVerified},
        errors=[ErrorCode.NOT_FOUND, ErrorCode.CONFLICT],
        idempotency_key=True,
        calls_upstream=True,
    )
