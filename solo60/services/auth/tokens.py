"""Opaque tokens: minted at random, shown once, stored only as a digest.

A token carries 256 random bits, so a fast SHA-256 digest is enough to make a leaked table
useless; a slow hash is only needed for low-entropy secrets such as passwords. Looking a
token up by its digest also means no comparison of secrets ever happens in application code.
"""

from __future__ import annotations

import hashlib
import secrets
from enum import StrEnum

ACCESS_TOKEN_PREFIX = "s60_at_"
ONE_TIME_TOKEN_PREFIX = "s60_ot_"


class Purpose(StrEnum):
    """What a single-use token proves when it is redeemed."""

    EMAIL_VERIFICATION = "EMAIL_VERIFICATION"
    PASSWORD_RESET = "PASSWORD_RESET"


def new_access_token() -> str:
    return ACCESS_TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_one_time_token() -> str:
    return ONE_TIME_TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """The only form in which a token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()
