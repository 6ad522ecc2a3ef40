"""Small pieces every representation uses: timestamps and embedded summaries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from broker.api.links import Links, link
from broker.deployments.models import DeployedVersion, ReleasedVersion


def timestamp(value: datetime | None) -> str | None:
    return value.replace(microsecond=0).isoformat() if value is not None else None


def pacticipant_summary(links: Links, name: str) -> dict[str, Any]:
    return {"name": name, "_links": {"self": link(links.pacticipant(name), "Pacticipant", name)}}


def version_summary(links: Links, pacticipant: str, number: str) -> dict[str, Any]:
    return {"number": number, "_links": {"self": link(links.version(pacticipant, number), "Version", number)}}


def deployed_environments(links: Links, deployed: list[DeployedVersion]) -> list[dict[str, Any]]:
    """`pb:deployed-environments`: one link per deployment, in the official broker's shape
    (snake_case `currently_deployed`, `application_instance` only when there is one)."""
    items = []
    for item in deployed:
        entry: dict[str, Any] = {
            "title": f"Version deployed to {item.environment.display_name}",
            "name": item.environment.display_name,
            "href": links.deployed_version(item.uuid),
            "currently_deployed": item.currently_deployed,
        }
        if item.target is not None:
            entry["application_instance"] = item.target
        items.append(entry)
    return items


def released_environments(links: Links, released: list[ReleasedVersion]) -> list[dict[str, Any]]:
    """`pb:released-environments`, the same for releases."""
    return [
        {
            "title": f"Version released to {item.environment.display_name}",
            "name": item.environment.display_name,
            "href": links.released_version(item.uuid),
            "currently_supported": item.currently_supported,
        }
        for item in released
    ]
