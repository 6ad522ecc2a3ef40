"""The user service's client, written by `solo60 codegen` from `solo60/contracts/user.py`."""

from __future__ import annotations

from solo60.clients._base import ServiceClient
from solo60.contracts.user import CreateUser, Role, RoleCheck, UpdateUser, User, UserServiceContract


class UserClient(ServiceClient):
    """Calls the Solo60 user service. Users, their roles and status, for the other services."""

    service = "user"

    async def get_user(self, user_id: str) -> User:
        """Get a user by id."""
        return await self._call(UserServiceContract.get_user, path={"user_id": user_id})

    async def get_user_by_email(self, *, email: str) -> User:
        """Find a user by email address.

        Email addresses are matched case-insensitively.
        """
        return await self._call(UserServiceContract.get_user_by_email, query={"email": email})

    async def check_role(self, user_id: str, role: Role) -> RoleCheck:
        """Check whether a user holds a role."""
        return await self._call(UserServiceContract.check_role, path={"user_id": user_id, "role": role})

    async def create_user(self, body: CreateUser) -> User:
        """Create a user.

        Called by the auth service at signup. A second user with the same email is refused with 409.
        """
        return await self._call(UserServiceContract.create_user, body=body)

    async def update_user(self, user_id: str, body: UpdateUser) -> User:
        """Update a user's verification, status or password change time.

        Setting the same values again changes nothing; un-verifying an email is refused with 409.
        """
        return await self._call(UserServiceContract.update_user, path={"user_id": user_id}, body=body)
