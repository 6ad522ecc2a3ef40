"""Recording that a judged version went to an environment, as `pact broker record-deployment` does."""

from __future__ import annotations

from typing import Any

from solo60.harness.broker_access import BrokerClient, segment
from solo60.harness.judged.environments import UnknownEnvironment, environments


def record_deployment(
    client: BrokerClient,
    pacticipant: str,
    version: str,
    environment: str,
    *,
    application_instance: str | None = None,
) -> dict[str, Any]:
    """Find the environment's `pb:record-deployment` link on the version and POST it."""
    described = client.get(f"/pacticipants/{segment(pacticipant)}/versions/{segment(version)}")
    links = described.get("_links", {}).get("pb:record-deployment", [])
    link = next((item for item in links if item.get("name") == environment), None)
    if link is None:
        raise UnknownEnvironment(environment, [item.name for item in environments(client)], client.base_url)
    body = {"applicationInstance": application_instance, "target": application_instance} if application_instance else {}
    return client.post(link["href"], body)
