"""What the session flows ask the gym service: the gym's rules, and the price of a slot."""

from __future__ import annotations

from datetime import datetime

from solo60 import clients
from solo60.contracts.errors import FieldError
from solo60.contracts.gym import Gym, SlotPrice
from solo60.services.kit import Conflict, NotFound, ValidationFailed


async def find_gym(gyms: clients.GymClient, gym_id: str) -> Gym:
    try:
        return await gyms.get_gym(gym_id)
    except clients.UpstreamNotFound:
        raise NotFound(f"Gym {gym_id!r} does not exist.") from None


async def price_slot(gyms: clients.GymClient, gym_id: str, starts_at: datetime, duration_minutes: int) -> SlotPrice:
    """The gym's price; a slot it does not sell is our caller's 400, naming the body field."""
    try:
        return await gyms.price_slot(gym_id, starts_at=starts_at, duration_minutes=duration_minutes)
    except clients.UpstreamValidationFailed as error:
        details = [_as_body_field(detail) for detail in error.details]
        summary = "; ".join(f"{detail.field}: {detail.message}" for detail in details) or error.message
        raise ValidationFailed(f"Invalid slot: {summary}", details=details) from None
    except clients.UpstreamNotFound:
        raise NotFound(f"Gym {gym_id!r} does not exist.") from None
    except clients.UpstreamConflict as error:
        raise Conflict(error.message) from None


def _as_body_field(detail: FieldError) -> FieldError:
    """The gym names its query (`query.startsAt`); the booking's caller sent a body (`body.startsAt`)."""
    field = detail.field.removeprefix("query.")
    return FieldError(field=f"body.{field}", message=detail.message, type=detail.type)
