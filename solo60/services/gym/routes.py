"""The gym service's implementation of its contract."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from solo60.contracts.gym import Gym, GymServiceContract, GymStatus, PricingQuery, SlotPrice
from solo60.services.gym import storage
from solo60.services.gym.pricing import quote
from solo60.services.gym.slots import slot_problems
from solo60.services.kit import Conflict, NotFound, ServiceRoutes, ValidationFailed, implements

api = GymServiceContract


class GymRoutes(ServiceRoutes):
    contract = GymServiceContract

    @implements(api.get_gym)
    async def get_gym(self, gym_id: str) -> Gym:
        async with self.runtime.db.read() as session:
            row = await _existing_gym(session, gym_id)
            return Gym.model_validate(row.as_wire())

    @implements(api.price_slot)
    async def price_slot(self, gym_id: str, query: PricingQuery) -> SlotPrice:
        async with self.runtime.db.read() as session:
            gym = await _existing_gym(session, gym_id)
        if gym.status != GymStatus.ACTIVE:
            raise Conflict(f"Gym {gym_id!r} is closed and takes no bookings.")
        problems = slot_problems(gym, query.starts_at, query.duration_minutes)
        if problems:
            summary = "; ".join(f"{problem.field}: {problem.message}" for problem in problems)
            raise ValidationFailed(f"Invalid slot: {summary}", details=problems)
        price = quote(gym, query.starts_at, query.duration_minutes)
        return SlotPrice(
            gym_id=gym.id,
            starts_at=query.starts_at,
            ends_at=query.starts_at + timedelta(minutes=query.duration_minutes),
            local_starts_at=query.starts_at.astimezone(ZoneInfo(gym.timezone)).isoformat(),
            timezone=gym.timezone,
            duration_minutes=query.duration_minutes,
            price_credits=price.price_credits,
            peak=price.peak_minutes > 0,
            peak_minutes=price.peak_minutes,
            credits_per_hour=gym.credits_per_hour,
            peak_credits_per_hour=gym.peak_credits_per_hour,
        )


async def _existing_gym(session: AsyncSession, gym_id: str) -> storage.GymRow:
    row = await storage.find_gym(session, gym_id)
    if row is None:
        raise NotFound(f"Gym {gym_id!r} does not exist.")
    return row
