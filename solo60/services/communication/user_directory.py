"""The user service as the directory of users' addresses, through its typed client."""

from __future__ import annotations

from solo60.clients import ClientConfig, ConfigurationError, ServiceCallError, UpstreamNotFound, UserClient
from solo60.services.communication.recipients import DirectoryUnavailable, UnknownRecipient, UserDirectory
from solo60.services.kit import ServiceSettings


class UserServiceDirectory:
    """`email_of` as a call to `GET /internal/users/{userId}`: 404 means no such user, any other failure a retry."""

    def __init__(self, users: UserClient) -> None:
        self.users = users

    async def email_of(self, user_id: str) -> str:
        try:
            user = await self.users.get_user(user_id)
        except UpstreamNotFound:
            raise UnknownRecipient(user_id) from None
        except ServiceCallError as error:
            raise DirectoryUnavailable(f"the user service could not resolve user {user_id!r}: {error}") from error
        return user.email

    async def aclose(self) -> None:
        await self.users.aclose()


class UnconfiguredDirectory:
    """No user service configured: only addresses already in the cache can be used."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    async def email_of(self, user_id: str) -> str:
        raise DirectoryUnavailable(f"cannot resolve user {user_id!r}: {self.reason}")

    async def aclose(self) -> None:
        return None


def user_directory(settings: ServiceSettings) -> UserDirectory:
    """The user service's client from `USER_SERVICE_URL` and `SERVICE_API_KEY`, if configured."""
    try:
        config = ClientConfig.from_env("user", caller="communication", environ=settings.extra)
    except ConfigurationError as error:
        return UnconfiguredDirectory(str(error))
    return UserServiceDirectory(UserClient(config))
