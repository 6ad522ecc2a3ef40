"""What a slot costs: credits per hour, more in the gym's local peak hours.

Every elapsed minute is charged at the rate in force when it starts, read on the gym's
wall clock, so a slot across a DST change costs its real length and a peak window starts
at 17:00 local time in summer and in winter alike. The sum is rounded up to whole credits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from solo60.contracts.gym import Weekday
from solo60.services.gym.storage import GymRow
from solo60.services.gym.wall_clock import local_minute, minute_of_day

WEEKDAYS = list(Weekday)
MINUTES_PER_HOUR = 60


@dataclass(frozen=True)
class Quote:
    price_credits: int
    peak_minutes: int


@dataclass(frozen=True)
class PeakWindow:
    weekdays: frozenset[int]
    starts: int
    ends: int

    def covers(self, weekday: int, minute: int) -> bool:
        return weekday in self.weekdays and self.starts <= minute < self.ends


def peak_windows(gym: GymRow) -> list[PeakWindow]:
    return [
        PeakWindow(
            weekdays=frozenset(WEEKDAYS.index(Weekday(day)) for day in window["days"]),
            starts=minute_of_day(window["starts"]),
            ends=minute_of_day(window["ends"]),
        )
        for window in gym.peak_hours
    ]


def quote(gym: GymRow, starts_at: datetime, duration_minutes: int) -> Quote:
    """The price of a slot the gym accepts (see `slots.slot_problems`)."""
    timezone = ZoneInfo(gym.timezone)
    windows = peak_windows(gym)
    peak_minutes = 0
    for elapsed in range(duration_minutes):
        weekday, minute = local_minute(starts_at + timedelta(minutes=elapsed), timezone)
        if any(window.covers(weekday, minute) for window in windows):
            peak_minutes += 1
    off_peak_minutes = duration_minutes - peak_minutes
    sixtieths = peak_minutes * gym.peak_credits_per_hour + off_peak_minutes * gym.credits_per_hour
    return Quote(price_credits=-(-sixtieths // MINUTES_PER_HOUR), peak_minutes=peak_minutes)
