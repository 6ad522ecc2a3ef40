"""The user service's internal API: who a user is, what roles they hold, whether they are active."""

from __future__ import annotations

from enum import StrEnum

from pydantic import ConfigDict, Field, model_validator

from solo60.contracts.errors import ErrorCode
from solo60.contracts.models import (
    Email,
    Id,
    Name,
    PathModel,
    QueryModel,
    RequestModel,
    ResponseModel,
    Timestamp,
)
from solo60.contracts.route import Contract, Link, Route


class UserStatus(StrEnum):
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"


class Role(StrEnum):
    MEMBER = "MEMBER"
    GYM_ADMIN = "GYM_ADMIN"
    PLATFORM_ADMIN = "PLATFORM_ADMIN"


class User(ResponseModel):
    """The user."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "5b0e8a52-3c41-4d2e-9b7f-0c6a1e2d3f40",
                    "email": "ada@example.com",
                    "name": "Ada Lovelace",
                    "roles": ["MEMBER"],
                    "status": "ACTIVE",
                    "emailVerified": True,
                    "passwordChangedAt": None,
                    "createdAt": "2025-01-02T03:04:05Z",
                    "updatedAt": "2025-01-02T03:04:05Z",
                }
            ]
        }
    )

    id: Id
    email: Email
    name: str
    roles: list[Role]
    status: UserStatus
    email_verified: bool
    password_changed_at: Timestamp | None = None
    created_at: Timestamp
    updated_at: Timestamp


class CreateUser(RequestModel):
    """A new user, as the auth service's signup creates it."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"email": "ada@example.com", "name": "Ada Lovelace", "roles": ["MEMBER"]}]}
    )

    email: Email
    name: Name
    roles: list[Role] = Field(default_factory=lambda: [Role.MEMBER], min_length=1, max_length=3)
    email_verified: bool = False


class UpdateUser(RequestModel):
    """The fields other services may change; at least one must be given."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1, "examples": [{"emailVerified": True}]})

    email_verified: bool | None = None
    status: UserStatus | None = None
    password_changed_at: Timestamp | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> UpdateUser:
        if not self.model_fields_set:
            raise ValueError("give at least one of emailVerified, status, passwordChangedAt")
        return self


class EmailQuery(QueryModel):
    email: Email


class RolePath(PathModel):
    user_id: Id = Field(alias="userId")
    role: Role


class RoleCheck(ResponseModel):
    """Whether the user holds the role."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"userId": "123", "role": "GYM_ADMIN", "hasRole": False}]}
    )

    user_id: Id
    role: Role
    has_role: bool


class UserServiceContract(Contract):
    service = "user"
    title = "Solo60 user service"
    description = "Users, their roles and status, for the other services."

    get_user = Route(
        "GET",
        "/internal/users/{userId}",
        summary="Get a user by id",
        responses={200: User},
        errors=[ErrorCode.NOT_FOUND],
    )
    get_user_by_email = Route(
        "GET",
        "/internal/users/by-email",
        summary="Find a user by email address",
        description="Email addresses are matched case-insensitively.",
        query=EmailQuery,
        responses={200: User},
        errors=[ErrorCode.NOT_FOUND],
    )
    check_role = Route(
        "GET",
        "/internal/users/{userId}/roles/{role}",
        summary="Check whether a user holds a role",
        path_params=RolePath,
        responses={200: RoleCheck},
        errors=[ErrorCode.NOT_FOUND],
    )
    create_user = Route(
        "POST",
        "/internal/users",
        summary="Create a user",
        description="Called by the auth service at signup. A second user with the same email is refused with 409.",
        body=CreateUser,
        responses={201: User},
        errors=[ErrorCode.CONFLICT],
        links=[Link("GetCreatedUser", "get_user", {"userId": "$response.body#/id"}, status=201)],
    )
    update_user = Route(
        "PATCH",
        "/internal/users/{userId}",
        summary="Update a user's verification, status or password change time",
        description="Setting the same values again changes nothing; un-verifying an email is refused with 409.",
        body=UpdateUser,
        responses={200: User},
        errors=[ErrorCode.NOT_FOUND, ErrorCode.CONFLICT],
        idempotent=True,
    )
