"""The user service's implementation of its contract."""

from __future__ import annotations

from solo60.contracts.user import (
    CreateUser,
    EmailQuery,
    Role,
    RoleCheck,
    UpdateUser,
    User,
    UserServiceContract,
)
from solo60.services.kit import Conflict, NotFound, ServiceRoutes, implements, utc_now
from solo60.services.user import storage

api = UserServiceContract


class UserRoutes(ServiceRoutes):
    contract = UserServiceContract

    @implements(api.get_user)
    async def get_user(self, user_id: str) -> User:
        row = await self.runtime.db.fetch_one(storage.BY_ID, {"user_id": user_id})
        if row is None:
            raise NotFound(f"User {user_id!r} does not exist.")
        # A dict, not the row's mapping: pydantic tries each camelCase alias first, and a key a
        # row does not have costs SQLAlchemy an exception.
        return User.model_validate(row._asdict())

    @implements(api.get_user_by_email)
    async def get_user_by_email(self, query: EmailQuery) -> User:
        async with self.runtime.db.read() as session:
            row = await storage.find_user_by_email(session, query.email)
            if row is None:
                raise NotFound("No user has this email address.")
            return User.model_validate(row, from_attributes=True)

    @implements(api.check_role)
    async def check_role(self, user_id: str, role: Role) -> RoleCheck:
        async with self.runtime.db.read() as session:
            row = await storage.find_user(session, user_id)
            if row is None:
                raise NotFound(f"User {user_id!r} does not exist.")
            return RoleCheck(user_id=user_id, role=role, has_role=role.value in row.roles)

    @implements(api.create_user)
    async def create_user(self, body: CreateUser) -> User:
        values = storage.new_user(
            email=body.email,
            name=body.name,
            roles=sorted({role.value for role in body.roles}),
            email_verified=body.email_verified,
        )
        try:
            row = await self.runtime.db.write_core(lambda connection: storage.insert_user(connection, values))
            return User.model_validate(row)
        except storage.EmailTaken:
            raise Conflict("A user with this email address already exists.") from None

    @implements(api.update_user)
    async def update_user(self, user_id: str, body: UpdateUser) -> User:
        async with self.runtime.db.write() as session:
            row = await storage.find_user(session, user_id)
            if row is None:
                raise NotFound(f"User {user_id!r} does not exist.")
            if body.email_verified is False and row.email_verified:
                raise Conflict("A verified email address cannot be marked unverified.")
            changed = False
            if body.email_verified is not None and body.email_verified != row.email_verified:
                row.email_verified, changed = body.email_verified, True
            if body.status is not None and body.status.value != row.status:
                row.status, changed = body.status.value, True
            if body.password_changed_at is not None and body.password_changed_at != row.password_changed_at:
                row.password_changed_at, changed = body.password_changed_at, True
            if changed:
                row.updated_at = utc_now()
            await session.flush()
            return User.model_validate(row, from_attributes=True)
