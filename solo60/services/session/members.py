"""What the session flows ask the user service: is this member active, may this user decide for a gym."""

from __future__ import annotations

from solo60 import clients
from solo60.contracts.gym import Gym
from solo60.contracts.user import Role, User, UserStatus
from solo60.services.kit import Forbidden, NotFound


async def active_member(users: clients.UserClient, user_id: str, *, to: str) -> User:
    """The user, who must exist (404) and be ACTIVE (403) `to` do what they ask."""
    try:
        user = await users.get_user(user_id)
    except clients.UpstreamNotFound:
        raise NotFound(f"User {user_id!r} does not exist.") from None
    if user.status is not UserStatus.ACTIVE:
        raise Forbidden(f"User {user_id!r} is {user.status.value}, so they cannot {to}.")
    return user


async def ensure_may_decide(users: clients.UserClient, gym: Gym, user_id: str) -> None:
    """Only the gym's own admin (holding GYM_ADMIN) or a PLATFORM_ADMIN approves or rejects its bookings."""
    roles = [Role.GYM_ADMIN, Role.PLATFORM_ADMIN] if user_id == gym.admin_user_id else [Role.PLATFORM_ADMIN]
    for role in roles:
        try:
            if (await users.check_role(user_id, role)).has_role:
                return
        except clients.UpstreamNotFound:
            break
    raise Forbidden(f"User {user_id!r} is not an admin of gym {gym.id!r}, so they cannot decide on its bookings.")
