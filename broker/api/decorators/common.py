"""Small pieces every representation uses: timestamps and embedded summaries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from broker.api.links import Links, link


def timestamp(value: datetime | None) -> str | None:
    return value.replace(microsecond=0).isoformat() if value is not None else None


def pacticipant_summary(links: Links, name: str) -> dict[str, Any]:
    return {"name": name, "_links": {"self": link(links.pacticipant(name), "Pacticipant", name)}}


def version_summary(links: Links, pacticipant: str, number: str) -> dict[str, Any]:
    return {"number": number, "_links": {"self": link(links.version(pacticipant, number), "Version", number)}}
