"""Who may do what: open by default; with credentials configured, read-write and read-only
users (basic auth) and tokens (bearer). A read-only identity may read everything and POST for
pacts to verify, but may not publish, tag, deploy or configure."""

from __future__ import annotations

import base64
import binascii
import hmac
from enum import Enum

from broker.api.router import Access
from broker.config import AuthSettings
from broker.errors import ForbiddenError, UnauthorizedError


class Role(Enum):
    ANONYMOUS = "anonymous"
    READ = "read"
    WRITE = "write"


def _equal(given: str, expected: str | None) -> bool:
    return expected is not None and hmac.compare_digest(given.encode(), expected.encode())


def identify(settings: AuthSettings, authorization: str | None) -> Role:
    if not authorization:
        return Role.ANONYMOUS
    scheme, _, credentials = authorization.partition(" ")
    credentials = credentials.strip()
    if scheme.lower() == "bearer":
        if any(_equal(credentials, token) for token in settings.tokens):
            return Role.WRITE
        if any(_equal(credentials, token) for token in settings.read_only_tokens):
            return Role.READ
        raise UnauthorizedError("The token is not valid")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, ValueError, UnicodeDecodeError):
            raise UnauthorizedError("The basic auth credentials are malformed") from None
        username, _, password = decoded.partition(":")
        if _equal(username, settings.username) and _equal(password, settings.password):
            return Role.WRITE
        if _equal(username, settings.read_only_username) and _equal(password, settings.read_only_password):
            return Role.READ
        raise UnauthorizedError("The username or password is not valid")
    raise UnauthorizedError(f"Unsupported authorization scheme '{scheme}'")


def authorize(settings: AuthSettings, access: Access, authorization: str | None) -> Role:
    """The caller's role, or 401/403 when it may not make this call."""
    if not settings.enabled or access is Access.PUBLIC:
        return Role.WRITE if not settings.enabled else Role.ANONYMOUS
    if access is Access.BADGE and settings.public_badges:
        return Role.ANONYMOUS
    role = identify(settings, authorization)
    if role is Role.ANONYMOUS:
        if settings.allow_public_read and access in (Access.READ, Access.BADGE):
            return role
        raise UnauthorizedError("Authentication is required")
    if role is Role.READ and access is Access.WRITE:
        raise ForbiddenError("These credentials are read-only and cannot make this change")
    return role
