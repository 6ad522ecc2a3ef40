"""The gym service's client, written by `solo60 codegen` from `solo60/contracts/gym.py`."""

from __future__ import annotations

from datetime import datetime

from solo60.clients._base import ServiceClient
from solo60.contracts.gym import Gym, GymServiceContract, SlotPrice


class GymClient(ServiceClient):
    """Calls the Solo60 gym service. Gyms, their approval and noise rules, opening hours and slot pricing, for the
    other services.
    """

    service = "gym"

    async def get_gym(self, gym_id: str) -> Gym:
        """Get a gym by id."""
        return await self._call(GymServiceContract.get_gym, path={"gym_id": gym_id})

    async def price_slot(self, gym_id: str, *, starts_at: datetime, duration_minutes: int) -> SlotPrice:
        """Price a slot in a gym.

        Each minute of the slot costs the gym's hourly rate / 60, or its peak rate / 60 when the minute starts inside
        a peak window in the gym's local time (DST included: a slot lasts its real elapsed minutes). The total is
        rounded up to a whole credit. A slot must start on a multiple of `slotMinutes` local time, last a multiple of
        `slotMinutes` between `minDurationMinutes` and `maxDurationMinutes`, and lie within the opening hours of one
        local day; otherwise 400 names the field. Pricing a slot of a CLOSED gym answers 409.
        """
        return await self._call(
            GymServiceContract.price_slot,
            path={"gym_id": gym_id},
            query={"starts_at": starts_at, "duration_minutes": duration_minutes},
        )
