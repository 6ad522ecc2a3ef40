"""JSON for environments, deployed versions and released versions."""

from __future__ import annotations

from typing import Any

from broker import paths
from broker.api.decorators.common import pacticipant_summary, timestamp, version_summary
from broker.api.links import Links, link
from broker.deployments.models import DeployedVersion, Environment, ReleasedVersion


def environment_summary(links: Links, item: Environment) -> dict[str, Any]:
    return {
        "uuid": item.uuid,
        "name": item.name,
        "displayName": item.display_name,
        "production": item.production,
        "_links": {"self": link(links.environment(item.uuid), "Environment", item.name)},
    }


def environment(links: Links, item: Environment) -> dict[str, Any]:
    base = paths.environment(item.uuid)
    return {
        "uuid": item.uuid,
        "name": item.name,
        "displayName": item.display_name,
        "production": item.production,
        "contacts": item.contacts,
        "createdAt": timestamp(item.created_at),
        "updatedAt": timestamp(item.updated_at),
        "_links": {
            "self": link(links.url(base), "Environment", item.name),
            "pb:currently-deployed-deployed-versions": link(
                links.url(f"{base}/deployed-versions/currently-deployed"), "Versions currently deployed"
            ),
            "pb:currently-supported-released-versions": link(
                links.url(f"{base}/released-versions/currently-supported"), "Versions released and supported"
            ),
            "pb:environments": link(links.url("/environments"), "Environments"),
        },
    }


def environment_list(links: Links, items: list[Environment]) -> dict[str, Any]:
    return {
        "_embedded": {"environments": [environment(links, item) for item in items]},
        "_links": {
            "self": link(links.url("/environments"), "Environments"),
            "pb:environments": [link(links.environment(item.uuid), "Environment", item.name) for item in items],
            "pb:environment": link(links.templated("/environments/{uuid}"), "Environment", templated=True),
        },
    }


def _embedded(links: Links, version_item: Any, environment_item: Environment) -> dict[str, Any]:
    return {
        "pacticipant": pacticipant_summary(links, version_item.pacticipant_name),
        "version": version_summary(links, version_item.pacticipant_name, version_item.number),
        "environment": environment_summary(links, environment_item),
    }


def deployed_version(links: Links, item: DeployedVersion) -> dict[str, Any]:
    return {
        "uuid": item.uuid,
        "currentlyDeployed": item.currently_deployed,
        "applicationInstance": item.target,
        "target": item.target,
        "undeployedAt": timestamp(item.undeployed_at),
        "createdAt": timestamp(item.created_at),
        "_embedded": _embedded(links, item.version, item.environment),
        "_links": {"self": link(links.deployed_version(item.uuid), "Deployed version")},
    }


def released_version(links: Links, item: ReleasedVersion) -> dict[str, Any]:
    return {
        "uuid": item.uuid,
        "currentlySupported": item.currently_supported,
        "supportEndedAt": timestamp(item.support_ended_at),
        "createdAt": timestamp(item.created_at),
        "updatedAt": timestamp(item.updated_at),
        "_embedded": _embedded(links, item.version, item.environment),
        "_links": {"self": link(links.released_version(item.uuid), "Released version")},
    }


def deployed_list(links: Links, self_href: str, items: list[DeployedVersion]) -> dict[str, Any]:
    return {
        "_embedded": {"deployedVersions": [deployed_version(links, item) for item in items]},
        "_links": {"self": link(self_href, "Deployed versions")},
    }


def released_list(links: Links, self_href: str, items: list[ReleasedVersion]) -> dict[str, Any]:
    return {
        "_embedded": {"releasedVersions": [released_version(links, item) for item in items]},
        "_links": {"self": link(self_href, "Released versions")},
    }
