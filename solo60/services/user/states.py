"""Provider states of the user service, as its consumers (session, auth, communication) name them."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from solo60.services.kit import ProviderStates, StateParams
from solo60.services.user import storage

states = ProviderStates("user")


class UserExists(StateParams):
    user_id: str = Field(default="123", alias="userId")
    email: str = "ada@example.com"
    name: str = "Ada Lovelace"
    status: str = "ACTIVE"
    roles: str = Field(default="MEMBER", description="comma-separated roles")
    email_verified: bool = Field(default=False, alias="emailVerified")


class UserHoldsRole(StateParams):
    user_id: str = Field(default="123", alias="userId")
    role: str = "GYM_ADMIN"


@states.state(
    "a user exists",
    params=UserExists,
    operations=(
        "GET /internal/users/{userId}",
        "PATCH /internal/users/{userId}",
        "GET /internal/users/by-email",
        "GET /internal/users/{userId}/roles/{role}",
    ),
)
async def a_user_exists(runtime: Any, params: UserExists) -> dict[str, Any]:
    """A user with the given id, email, status and roles (an active member by default)."""
    async with runtime.db.write() as session:
        await storage.replace_user(
            session,
            user_id=params.user_id,
            email=params.email,
            name=params.name,
            roles=[role.strip() for role in params.roles.split(",") if role.strip()],
            status=params.status,
            email_verified=params.email_verified,
        )
    return {"userId": params.user_id, "email": params.email}


@states.state("a user holds a role", params=UserHoldsRole, operations=("GET /internal/users/{userId}/roles/{role}",))
async def a_user_holds_a_role(runtime: Any, params: UserHoldsRole) -> dict[str, Any]:
    """An active user holding `role` (besides MEMBER)."""
    async with runtime.db.write() as session:
        await storage.replace_user(
            session,
            user_id=params.user_id,
            email=f"user-{params.user_id}@example.com",
            name="Role Holder",
            roles=sorted({"MEMBER", params.role}),
        )
    return {"userId": params.user_id}


@states.state("no user exists")
async def no_user_exists(runtime: Any, params: None) -> None:
    """No users at all: lookups answer 404 and any email is free."""
