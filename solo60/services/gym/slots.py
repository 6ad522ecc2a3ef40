"""Whether a slot can be booked at a gym at all: its duration, its alignment, the opening hours."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from solo60.contracts.errors import FieldError
from solo60.services.gym.storage import GymRow
from solo60.services.gym.wall_clock import MINUTES_PER_DAY, local_end_minute, local_minute, minute_of_day


def slot_problems(gym: GymRow, starts_at: datetime, duration_minutes: int) -> list[FieldError]:
    """Every reason the slot is not bookable, each naming the query field to change."""
    problems: list[FieldError] = []
    step = gym.slot_minutes
    if not gym.min_duration_minutes <= duration_minutes <= gym.max_duration_minutes:
        problems.append(
            _problem(
                "durationMinutes",
                f"must be between {gym.min_duration_minutes} and {gym.max_duration_minutes} minutes at this gym",
                "slot_duration",
            )
        )
    elif duration_minutes % step:
        problems.append(_problem("durationMinutes", f"must be a multiple of {step} minutes", "slot_granularity"))

    timezone = ZoneInfo(gym.timezone)
    _weekday, start_minute = local_minute(starts_at, timezone)
    if starts_at.second or starts_at.microsecond or start_minute % step:
        problems.append(
            _problem(
                "startsAt",
                f"must start on a multiple of {step} minutes past the hour, local time ({gym.timezone})",
                "slot_alignment",
            )
        )
    elif not _within_opening_hours(gym, starts_at, duration_minutes, timezone):
        problems.append(
            _problem(
                "startsAt",
                f"the slot must lie within the opening hours {gym.opens_at}-{gym.closes_at} of one local day "
                f"({gym.timezone})",
                "outside_opening_hours",
            )
        )
    return problems


def open_around_the_clock(gym: GymRow) -> bool:
    return minute_of_day(gym.opens_at) == 0 and minute_of_day(gym.closes_at) == MINUTES_PER_DAY


def _within_opening_hours(gym: GymRow, starts_at: datetime, duration_minutes: int, timezone: ZoneInfo) -> bool:
    if open_around_the_clock(gym):
        return True
    _weekday, start_minute = local_minute(starts_at, timezone)
    end_minute = local_end_minute(starts_at, starts_at + timedelta(minutes=duration_minutes), timezone)
    return minute_of_day(gym.opens_at) <= start_minute and end_minute <= minute_of_day(gym.closes_at)


def _problem(field: str, message: str, kind: str) -> FieldError:
    return FieldError(field=f"query.{field}", message=message, type=kind)
