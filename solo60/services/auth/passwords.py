"""Password hashes: scrypt, salted, with its cost stored beside the hash.

Storing the parameters with each hash lets the cost be raised later: old hashes still verify
and `needs_rehash` tells the login flow to upgrade them. The cost follows OWASP's scrypt
guidance (N=2^14, r=8, p=5: 16 MiB and about 0.1 s per hash). Hashing is CPU-bound, so the
async forms run it in a worker thread, away from the event loop and outside any transaction.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
SCHEME = "scrypt"


@dataclass(frozen=True)
class ScryptCost:
    n: int = 2**14
    r: int = 8
    p: int = 5

    @property
    def max_memory(self) -> int:
        return 256 * self.n * self.r


CURRENT_COST = ScryptCost()


class WeakPassword(ValueError):
    """The password is too short or too long to accept."""


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPassword(f"a password has at most {MAX_PASSWORD_LENGTH} characters")


def hash_password_now(password: str, cost: ScryptCost = CURRENT_COST) -> str:
    """`scrypt$n$r$p$salt$digest`; blocking, so prefer `hash_password` in async code."""
    check_password_policy(password)
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, cost)
    return "$".join([SCHEME, str(cost.n), str(cost.r), str(cost.p), _encode(salt), _encode(digest)])


def password_matches_now(password: str, stored: str) -> bool:
    """Whether `password` hashes to `stored`, compared in constant time; a damaged hash never matches."""
    if len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != SCHEME:
            return False
        expected = _decode(digest)
        actual = _scrypt(password, _decode(salt), ScryptCost(int(n), int(r), int(p)), len(expected))
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


def needs_rehash(stored: str) -> bool:
    """Whether the hash was made with other parameters than the current ones."""
    parts = stored.split("$")
    return len(parts) != 6 or parts[:4] != [SCHEME, str(CURRENT_COST.n), str(CURRENT_COST.r), str(CURRENT_COST.p)]


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(hash_password_now, password)


async def password_matches(password: str, stored: str) -> bool:
    return await asyncio.to_thread(password_matches_now, password, stored)


def _scrypt(password: str, salt: bytes, cost: ScryptCost, length: int = 32) -> bytes:
    return hashlib.scrypt(
        password.encode(), salt=salt, n=cost.n, r=cost.r, p=cost.p, maxmem=cost.max_memory * 2, dklen=length
    )


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
