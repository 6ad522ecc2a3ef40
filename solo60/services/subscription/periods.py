"""Billing periods: monthly, on the calendar, in UTC."""

from __future__ import annotations

import calendar
from datetime import datetime


def month_after(moment: datetime) -> datetime:
    """The same day and time a calendar month later, clamped to a shorter month's last day (31 Jan -> 28 Feb)."""
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def start_of_day(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)
