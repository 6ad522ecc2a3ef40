"""JSON for versions, branches, branch versions and tags."""

from __future__ import annotations

from typing import Any

from broker import paths
from broker.api.decorators.common import (
    deployed_environments,
    pacticipant_summary,
    released_environments,
    timestamp,
    version_summary,
)
from broker.api.links import Links, link
from broker.deployments.models import DeployedVersion, Environment, ReleasedVersion
from broker.versions.models import Branch, BranchVersion, Reference, Tag, Version


def version(
    links: Links,
    item: Version,
    branches: list[Reference],
    tags: list[Reference],
    environments: list[Environment],
    deployed: list[DeployedVersion] | None = None,
    released: list[ReleasedVersion] | None = None,
) -> dict[str, Any]:
    name, number = item.pacticipant_name, item.number
    base = paths.version(name, number)
    return {
        "number": number,
        "buildUrl": item.build_url,
        "branch": branches[-1].name if branches else None,
        "createdAt": timestamp(item.created_at),
        "updatedAt": timestamp(item.updated_at),
        "_embedded": {
            "branchVersions": [
                {
                    "name": ref.name,
                    "latest": ref.latest,
                    "_links": {"self": link(links.branch_version(name, ref.name, number), "Branch version", ref.name)},
                }
                for ref in branches
            ],
            "tags": [
                {
                    "name": ref.name,
                    "latest": ref.latest,
                    "_links": {"self": link(links.version_tag(name, number, ref.name), "Tag", ref.name)},
                }
                for ref in tags
            ],
        },
        "_links": {
            "self": link(links.url(base), "Version", number),
            "pb:pacticipant": link(links.pacticipant(name), "Pacticipant", name),
            "pb:tag": link(links.templated(f"{base}/tags/{{tag}}"), "Get, create or delete a tag", templated=True),
            "pb:record-deployment": [
                link(
                    links.url(f"{base}/deployed-versions/environment/{paths.segment(env.uuid)}"),
                    f"Record deployment to {env.display_name}",
                    env.name,
                )
                for env in environments
            ],
            "pb:record-release": [
                link(
                    links.url(f"{base}/released-versions/environment/{paths.segment(env.uuid)}"),
                    f"Record release to {env.display_name}",
                    env.name,
                )
                for env in environments
            ],
            "pb:deployed-environments": deployed_environments(links, deployed or []),
            "pb:released-environments": released_environments(links, released or []),
            "curies": links.curies(),
        },
    }


def version_list(
    links: Links, pacticipant_name: str, items: list[dict[str, Any]], page: dict[str, Any]
) -> dict[str, Any]:
    return {
        "_embedded": {"versions": items},
        "_links": {
            "self": link(links.url(f"{paths.pacticipant(pacticipant_name)}/versions"), "Versions"),
            "pb:pacticipant": link(links.pacticipant(pacticipant_name), "Pacticipant", pacticipant_name),
            "pb:versions": [link(item["_links"]["self"]["href"], "Version", item["number"]) for item in items],
        },
        "page": page,
    }


def tag(links: Links, item: Tag) -> dict[str, Any]:
    name, number = item.version.pacticipant_name, item.version.number
    return {
        "name": item.name,
        "createdAt": timestamp(item.created_at),
        "_embedded": {"version": version_summary(links, name, number)},
        "_links": {
            "self": link(links.version_tag(name, number, item.name), "Tag", item.name),
            "pb:version": link(links.version(name, number), "Version", number),
            "pb:pacticipant": link(links.pacticipant(name), "Pacticipant", name),
        },
    }


def tag_list(links: Links, item: Version, tags: list[Reference]) -> dict[str, Any]:
    name, number = item.pacticipant_name, item.number
    return {
        "_embedded": {
            "tags": [
                {
                    "name": ref.name,
                    "latest": ref.latest,
                    "_links": {"self": link(links.version_tag(name, number, ref.name), "Tag", ref.name)},
                }
                for ref in tags
            ]
        },
        "_links": {"self": link(links.url(f"{paths.version(name, number)}/tags"), "Tags")},
    }


def branch(links: Links, item: Branch) -> dict[str, Any]:
    base = paths.branch(item.pacticipant_name, item.name)
    return {
        "name": item.name,
        "createdAt": timestamp(item.created_at),
        "updatedAt": timestamp(item.updated_at),
        "_embedded": {"pacticipant": pacticipant_summary(links, item.pacticipant_name)},
        "_links": {
            "self": link(links.url(base), "Branch", item.name),
            "pb:pacticipant": link(links.pacticipant(item.pacticipant_name), "Pacticipant", item.pacticipant_name),
            "pb:versions": link(links.url(f"{base}/versions"), "Versions on this branch"),
        },
    }


def branch_list(links: Links, pacticipant_name: str, items: list[Branch]) -> dict[str, Any]:
    return {
        "_embedded": {"branches": [branch(links, item) for item in items]},
        "_links": {"self": link(links.url(f"{paths.pacticipant(pacticipant_name)}/branches"), "Branches")},
    }


def branch_version(links: Links, item: BranchVersion) -> dict[str, Any]:
    name = item.branch.pacticipant_name
    return {
        "name": item.branch.name,
        "latest": item.latest,
        "createdAt": timestamp(item.created_at),
        "_embedded": {"version": version_summary(links, name, item.version.number)},
        "_links": {
            "self": link(links.branch_version(name, item.branch.name, item.version.number), "Branch version"),
            "pb:branch": link(links.branch(name, item.branch.name), "Branch", item.branch.name),
            "pb:version": link(links.version(name, item.version.number), "Version", item.version.number),
        },
    }


def branch_versions(links: Links, item: Branch, versions: list[Version]) -> dict[str, Any]:
    return {
        "_embedded": {"versions": [version_summary(links, item.pacticipant_name, v.number) for v in versions]},
        "_links": {"self": link(links.url(f"{paths.branch(item.pacticipant_name, item.name)}/versions"), "Versions")},
    }
