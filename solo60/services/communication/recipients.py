"""Whom a `userId` mail goes to: the user service knows, a small cache in our own database remembers.

The cache keeps each answer for a while (`RECIPIENT_CACHE_SECONDS`), including "no such
user" for a shorter while, so a burst of mails to one user costs one lookup, and a
stale address is still used when the user service is briefly down. Provider states seed
it, which is why verifying the communication service needs no user service.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol

from solo60.services.communication import storage
from solo60.services.kit import Database, utc_now


class UnknownRecipient(LookupError):
    """No user has this id: mail to it can never be delivered."""

    def __init__(self, user_id: str) -> None:
        super().__init__(f"user {user_id!r} does not exist")
        self.user_id = user_id


class DirectoryUnavailable(RuntimeError):
    """The user service could not say; try again later."""


class UserDirectory(Protocol):
    """Where users' addresses come from: the user service, through its client."""

    async def email_of(self, user_id: str) -> str:
        """The address; raises `UnknownRecipient` or `DirectoryUnavailable`."""
        ...

    async def aclose(self) -> None: ...


class RecipientCache:
    """`email_of` through the cache table; the user service is asked outside any transaction."""

    def __init__(self, db: Database, directory: UserDirectory, *, ttl: timedelta, unknown_ttl: timedelta) -> None:
        self.db = db
        self.directory = directory
        self.ttl = ttl
        self.unknown_ttl = unknown_ttl

    async def email_of(self, user_id: str) -> str:
        """The address; raises `UnknownRecipient` or `DirectoryUnavailable`."""
        async with self.db.read() as session:
            cached = await storage.find_recipient(session, user_id)
        if cached is not None and cached.expires_at > utc_now():
            if cached.email is None:
                raise UnknownRecipient(user_id)
            return cached.email
        try:
            email = await self.directory.email_of(user_id)
        except UnknownRecipient:
            await self.remember(user_id, None)
            raise
        except DirectoryUnavailable:
            if cached is not None and cached.email is not None:
                return cached.email  # stale, but better than no mail while the user service is down
            raise
        await self.remember(user_id, email)
        return email

    async def remember(self, user_id: str, email: str | None, *, ttl: timedelta | None = None) -> None:
        """Cache an address (or None: no such user) for the configured time, or `ttl`."""
        now = utc_now()
        ttl = ttl if ttl is not None else self.ttl if email is not None else self.unknown_ttl
        async with self.db.write() as session:
            await storage.remember_recipient(
                session, user_id=user_id, email=email, fetched_at=now, expires_at=now + ttl
            )
