"""Dates for people: "3 minutes ago", as the official UI words them."""

from __future__ import annotations

from datetime import UTC, datetime


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def distance_in_words(then: datetime, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    if then.tzinfo is None:
        then = then.replace(tzinfo=UTC)
    seconds = max(0, int((now - then).total_seconds()))
    minutes = round(seconds / 60)
    if seconds < 60:
        return "less than a minute"
    if minutes < 45:
        return _plural(minutes, "minute")
    if minutes < 90:
        return "about 1 hour"
    if minutes < 1440:
        return f"about {round(minutes / 60)} hours"
    if minutes < 2520:
        return "1 day"
    if minutes < 43200:
        return f"{round(minutes / 1440)} days"
    if minutes < 86400:
        return "about 1 month"
    if minutes < 525600:
        return f"{round(minutes / 43200)} months"
    years = minutes / 525600
    return f"about {_plural(round(years), 'year')}" if years % 1 < 0.25 else f"over {_plural(int(years), 'year')}"


def ago(then: datetime | None) -> str:
    return f"{distance_in_words(then)} ago" if then is not None else ""
