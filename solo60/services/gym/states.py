"""Provider states of the gym service, as its consumer (session) names them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from pydantic import Field, field_validator, model_validator

from solo60.contracts.gym import GYM_EXAMPLE, GymStatus, LocalTime, PeakWindow
from solo60.contracts.models import Id
from solo60.services.gym import storage
from solo60.services.kit import ProviderStates, StateParams

states = ProviderStates("gym")

DEFAULT_PEAK_HOURS: list[dict[str, Any]] = GYM_EXAMPLE["pricing"]["peakHours"]


class GymExists(StateParams):
    gym_id: Id = Field(default="gym-1", alias="gymId")
    name: str = "Field Street Gym"
    address: str = "12 Field Street, London N1 7AA"
    timezone: str = Field(default="Europe/London", description="IANA timezone name")
    status: GymStatus = GymStatus.ACTIVE
    requires_approval: bool = Field(default=False, alias="requiresApproval")
    noise_sensitive: bool = Field(default=False, alias="noiseSensitive")
    admin_email: str = Field(default="admin@fieldstreetgym.example", alias="adminEmail")
    admin_user_id: Id | None = Field(default="42", alias="adminUserId")
    max_guests: int = Field(default=3, ge=0, alias="maxGuests")
    opens: LocalTime = Field(default="06:00", description="local opening time; 00:00-24:00 is around the clock")
    closes: LocalTime = "22:00"
    credits_per_hour: int = Field(default=10, ge=0, alias="creditsPerHour")
    peak_credits_per_hour: int = Field(default=15, ge=0, alias="peakCreditsPerHour")
    peak_hours: list[PeakWindow] | None = Field(
        default=None,
        alias="peakHours",
        description="as `pricing.peakHours`; default weekdays 06-09 and 17-21, weekends 09-13",
    )
    min_duration_minutes: int = Field(default=30, ge=1, alias="minDurationMinutes")
    max_duration_minutes: int = Field(default=180, le=1440, alias="maxDurationMinutes")
    slot_minutes: int = Field(default=15, ge=1, le=60, alias="slotMinutes")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        if value not in _timezone_names():
            raise ValueError(f"{value!r} is not an IANA timezone name")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> GymExists:
        if self.opens >= self.closes:
            raise ValueError("opens must be before closes")
        if not self.slot_minutes <= self.min_duration_minutes <= self.max_duration_minutes:
            raise ValueError("need slotMinutes <= minDurationMinutes <= maxDurationMinutes")
        return self


class GymRequiresApproval(GymExists):
    requires_approval: bool = Field(default=True, alias="requiresApproval")


class GymIsNoiseSensitive(GymExists):
    noise_sensitive: bool = Field(default=True, alias="noiseSensitive")


class GymIsClosed(GymExists):
    status: GymStatus = GymStatus.CLOSED


@cache
def _timezone_names() -> frozenset[str]:
    return frozenset(available_timezones())


async def _seed(runtime: Any, params: GymExists) -> dict[str, Any]:
    ZoneInfo(params.timezone)  # fails the state, not a later request, on a timezone the system lacks
    async with runtime.db.write() as session:
        await storage.replace_gym(
            session,
            id=params.gym_id,
            name=params.name,
            address=params.address,
            timezone=params.timezone,
            status=params.status.value,
            requires_approval=params.requires_approval,
            noise_sensitive=params.noise_sensitive,
            admin_email=params.admin_email,
            admin_user_id=params.admin_user_id,
            max_guests=params.max_guests,
            opens_at=params.opens,
            closes_at=params.closes,
            credits_per_hour=params.credits_per_hour,
            peak_credits_per_hour=params.peak_credits_per_hour,
            peak_hours=DEFAULT_PEAK_HOURS
            if params.peak_hours is None
            else [window.model_dump(mode="json") for window in params.peak_hours],
            min_duration_minutes=params.min_duration_minutes,
            max_duration_minutes=params.max_duration_minutes,
            slot_minutes=params.slot_minutes,
        )
    return {
        "gymId": params.gym_id,
        "timezone": params.timezone,
        "adminEmail": params.admin_email,
        **_first_slot(params),
    }


PRICED_DAY = date(2030, 1, 7)
"""A Monday; the day of the slot a seeded gym's state names (as the session service's states book)."""


def _first_slot(params: GymExists) -> dict[str, Any]:
    """The gym's first slot of `PRICED_DAY`: at opening time, its shortest duration, which pricing accepts."""
    hours, minutes = (int(part) for part in params.opens.split(":"))
    opens = datetime.combine(PRICED_DAY, time(hours, minutes), tzinfo=ZoneInfo(params.timezone))
    return {
        "startsAt": opens.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "durationMinutes": params.min_duration_minutes,
    }


@states.state(
    "a gym exists", params=GymExists, operations=("GET /internal/gyms/{gymId}", "GET /internal/gyms/{gymId}/pricing")
)
async def a_gym_exists(runtime: Any, params: GymExists) -> dict[str, Any]:
    """An active gym (Field Street Gym in Europe/London, open 06:00-22:00, no approval, not noise sensitive)."""
    return await _seed(runtime, params)


@states.state("a gym requires approval", params=GymRequiresApproval)
async def a_gym_requires_approval(runtime: Any, params: GymRequiresApproval) -> dict[str, Any]:
    """As `a gym exists`, but bookings wait for the gym admin's approval."""
    return await _seed(runtime, params)


@states.state("a gym is noise sensitive", params=GymIsNoiseSensitive)
async def a_gym_is_noise_sensitive(runtime: Any, params: GymIsNoiseSensitive) -> dict[str, Any]:
    """As `a gym exists`, but members get a noise warning with their booking."""
    return await _seed(runtime, params)


@states.state("a gym is closed", params=GymIsClosed)
async def a_gym_is_closed(runtime: Any, params: GymIsClosed) -> dict[str, Any]:
    """As `a gym exists`, but CLOSED: its details still read, its slots cannot be priced (409)."""
    return await _seed(runtime, params)


@states.state("no gym exists")
async def no_gym_exists(runtime: Any, params: None) -> None:
    """No gyms at all: every gym id answers 404."""
