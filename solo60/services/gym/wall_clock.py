"""Local wall-clock time in a gym's timezone, where opening and peak hours are written."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 24 * 60


def minute_of_day(text: str) -> int:
    """`"17:30"` -> 1050; `"24:00"` -> 1440, the end of the day."""
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def local_minute(moment: datetime, timezone: ZoneInfo) -> tuple[int, int]:
    """The local weekday (Monday 0) and minute of the day at which `moment` falls in the gym."""
    local = moment.astimezone(timezone)
    return local.weekday(), local.hour * 60 + local.minute


def local_end_minute(starts_at: datetime, ends_at: datetime, timezone: ZoneInfo) -> int:
    """Minute of the start's local day at which the slot ends: a slot ending at local midnight ends at 1440.

    Counted from the start's local date, so a slot running past midnight ends after 1440.
    """
    start = starts_at.astimezone(timezone)
    end = ends_at.astimezone(timezone)
    days_later = (end.date() - start.date()) // timedelta(days=1)
    return days_later * MINUTES_PER_DAY + end.hour * 60 + end.minute
