"""The gym service's internal API: what a gym is like and what a slot in it costs."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import ConfigDict, Field, StringConstraints, field_validator

from solo60.contracts.errors import ErrorCode
from solo60.contracts.models import Email, Id, QueryModel, ResponseModel, Timestamp
from solo60.contracts.route import Contract, Route

EARLIEST_SLOT = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_SLOT = datetime(2100, 1, 1, tzinfo=UTC)
"""Slots are priced in the years 2000 to 2099 as written; anything else is a typo or an attack, not a booking."""

SLOT_START_PATTERN = (
    r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)
"""The one spelling of a slot start the document and the provider both accept.

A JSON Schema can bound a date-time only through its text, so the year range is a pattern, and
the provider checks the same pattern before parsing: pydantic alone also takes `t`, a space or
seven fraction digits, which the document would call invalid.
"""
_SLOT_START = re.compile(SLOT_START_PATTERN.removesuffix("$"))

LocalTime = Annotated[
    str,
    StringConstraints(pattern=r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$"),
    Field(description="Wall-clock time in the gym's timezone, `HH:MM`; `24:00` is the end of the day."),
]


class GymStatus(StrEnum):
    ACTIVE = "ACTIVE"
    CLOSED = "CLOSED"


class Weekday(StrEnum):
    MON = "MON"
    TUE = "TUE"
    WED = "WED"
    THU = "THU"
    FRI = "FRI"
    SAT = "SAT"
    SUN = "SUN"


class OpeningHours(ResponseModel):
    """When slots may be booked, every day, in the gym's local time; `00:00`-`24:00` means around the clock."""

    opens: LocalTime
    closes: LocalTime


class PeakWindow(ResponseModel):
    """Local hours on the given weekdays that are charged at the peak rate."""

    days: list[Weekday]
    starts: LocalTime
    ends: LocalTime


class PricingRules(ResponseModel):
    """How the gym prices a slot; see the pricing route for the rules."""

    credits_per_hour: int
    peak_credits_per_hour: int
    peak_hours: list[PeakWindow]
    min_duration_minutes: int
    max_duration_minutes: int
    slot_minutes: int = Field(description="Slots start on and last a multiple of this many minutes.")


GYM_EXAMPLE: dict[str, Any] = {
    "id": "gym-1",
    "name": "Field Street Gym",
    "address": "12 Field Street, London N1 7AA",
    "timezone": "Europe/London",
    "status": "ACTIVE",
    "requiresApproval": False,
    "noiseSensitive": True,
    "adminEmail": "admin@fieldstreetgym.example",
    "adminUserId": "42",
    "maxGuests": 3,
    "openingHours": {"opens": "06:00", "closes": "22:00"},
    "pricing": {
        "creditsPerHour": 10,
        "peakCreditsPerHour": 15,
        "peakHours": [
            {"days": ["MON", "TUE", "WED", "THU", "FRI"], "starts": "06:00", "ends": "09:00"},
            {"days": ["MON", "TUE", "WED", "THU", "FRI"], "starts": "17:00", "ends": "21:00"},
            {"days": ["SAT", "SUN"], "starts": "09:00", "ends": "13:00"},
        ],
        "minDurationMinutes": 30,
        "maxDurationMinutes": 180,
        "slotMinutes": 15,
    },
    "createdAt": "2025-01-02T03:04:05Z",
    "updatedAt": "2025-01-02T03:04:05Z",
}


class Gym(ResponseModel):
    """A gym members book whole for a private session."""

    model_config = ConfigDict(json_schema_extra={"examples": [GYM_EXAMPLE]})

    id: Id
    name: str
    address: str
    timezone: str = Field(description="IANA timezone name; opening and peak hours are in this local time.")
    status: GymStatus = Field(description="A CLOSED gym takes no bookings and prices no slots.")
    requires_approval: bool = Field(description="Bookings wait in PENDING_APPROVAL until the gym admin decides.")
    noise_sensitive: bool = Field(description="Members get a noise warning with their booking.")
    admin_email: Email
    admin_user_id: Id | None = None
    max_guests: int = Field(description="Guests a member may invite to one session.")
    opening_hours: OpeningHours
    pricing: PricingRules
    created_at: Timestamp
    updated_at: Timestamp


class PricingQuery(QueryModel):
    """The slot to price: when it starts and how long it lasts."""

    starts_at: Timestamp = Field(
        description=(
            "RFC 3339 with `T` and an offset (`Z` or `+01:00`), in the years 2000 to 2099; "
            "percent-encode `+` in a query string."
        ),
        json_schema_extra={"pattern": SLOT_START_PATTERN},
    )
    duration_minutes: int = Field(ge=1, le=1440)

    @field_validator("starts_at", mode="before")
    @classmethod
    def _plausible(cls, value: Any) -> Any:
        if isinstance(value, str) and not _SLOT_START.fullmatch(value):
            raise ValueError("must be an RFC 3339 date-time such as 2025-03-03T17:00:00Z in the years 2000 to 2099")
        return value


class SlotPrice(ResponseModel):
    """The price of one slot, and how much of it falls in peak hours."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "gymId": "gym-1",
                    "startsAt": "2025-03-03T17:00:00Z",
                    "endsAt": "2025-03-03T18:00:00Z",
                    "localStartsAt": "2025-03-03T17:00:00+00:00",
                    "timezone": "Europe/London",
                    "durationMinutes": 60,
                    "priceCredits": 15,
                    "peak": True,
                    "peakMinutes": 60,
                    "creditsPerHour": 10,
                    "peakCreditsPerHour": 15,
                }
            ]
        }
    )

    gym_id: Id
    starts_at: Timestamp
    ends_at: Timestamp
    local_starts_at: str = Field(description="The start in the gym's local time, RFC 3339 with its offset.")
    timezone: str
    duration_minutes: int
    price_credits: int
    peak: bool = Field(description="Whether any minute of the slot falls in the gym's peak hours.")
    peak_minutes: int
    credits_per_hour: int
    peak_credits_per_hour: int


class GymServiceContract(Contract):
    service = "gym"
    title = "Solo60 gym service"
    description = "Gyms, their approval and noise rules, opening hours and slot pricing, for the other services."

    get_gym = Route(
        "GET",
        "/internal/gyms/{gymId}",
        summary="Get a gym by id",
        responses={200: Gym},
        errors=[ErrorCode.NOT_FOUND],
    )
    price_slot = Route(
        "GET",
        "/internal/gyms/{gymId}/pricing",
        summary="Price a slot in a gym",
        description=(
            "Each minute of the slot costs the gym's hourly rate / 60, or its peak rate / 60 when the minute "
            "starts inside a peak window in the gym's local time (DST included: a slot lasts its real elapsed "
            "minutes). The total is rounded up to a whole credit. A slot must start on a multiple of "
            "`slotMinutes` local time, last a multiple of `slotMinutes` between `minDurationMinutes` and "
            "`maxDurationMinutes`, and lie within the opening hours of one local day; otherwise 400 names the "
            "field. Pricing a slot of a CLOSED gym answers 409."
        ),
        query=PricingQuery,
        responses={200: SlotPrice},
        errors=[ErrorCode.NOT_FOUND, ErrorCode.CONFLICT],
    )
