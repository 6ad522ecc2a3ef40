"""JSON for pacticipants and labels."""

from __future__ import annotations

from typing import Any

from broker import paths
from broker.api.decorators.common import deployed_environments, timestamp
from broker.api.links import Links, link
from broker.deployments.models import DeployedVersion
from broker.pacticipants.models import Label, Pacticipant


def pacticipant(
    links: Links, item: Pacticipant, labels: list[str] | None = None, deployed: list[DeployedVersion] | None = None
) -> dict[str, Any]:
    """`deployed` (its versions currently deployed anywhere) adds `pb:deployed-environments`, as
    the official broker does on a single pacticipant's resource but not in lists."""
    name = item.name
    base = paths.pacticipant(name)
    body = {
        "name": name,
        "displayName": item.display_name,
        "mainBranch": item.main_branch,
        "repositoryUrl": item.repository_url,
        "repositoryName": item.repository_name,
        "repositoryNamespace": item.repository_namespace,
        "createdAt": timestamp(item.created_at),
        "updatedAt": timestamp(item.updated_at),
        "_embedded": {"labels": [label_summary(links, name, label) for label in labels or []]},
        "_links": {
            "self": link(links.url(base), "Pacticipant", name),
            "pb:versions": link(links.url(f"{base}/versions"), "Versions"),
            "pb:version": link(links.templated(f"{base}/versions/{{version}}"), "Version", templated=True),
            "pb:version-tag": link(
                links.templated(f"{base}/versions/{{version}}/tags/{{tag}}"), "Version tag", templated=True
            ),
            "pb:branch-version": link(
                links.templated(f"{base}/branches/{{branch}}/versions/{{version}}"), "Branch version", templated=True
            ),
            "pb:branches": link(links.url(f"{base}/branches"), "Branches"),
            "pb:latest-version": link(links.url(f"{base}/latest-version"), "Latest version"),
            "pb:label": link(links.templated(f"{base}/labels/{{label}}"), "Label", templated=True),
            "pb:can-i-deploy-badge": link(
                links.templated(f"{base}/latest-version/{{tag}}/can-i-deploy/to/{{environment}}/badge"),
                "Can I Deploy badge",
                templated=True,
            ),
            "pb:can-i-deploy-branch-to-environment": link(
                links.templated(
                    f"{base}/branches/{{branch}}/latest-version/can-i-deploy/to-environment/{{environment}}"
                ),
                "Can I deploy the latest version from a branch to an environment",
                templated=True,
            ),
            "curies": links.curies(),
        },
    }
    if deployed is not None:
        body["_links"]["pb:deployed-environments"] = deployed_environments(links, deployed)
    return body


def pacticipant_list(links: Links, items: list[Pacticipant], labels: dict[int, list[str]]) -> dict[str, Any]:
    embedded = [pacticipant(links, item, labels.get(item.id)) for item in items]
    return {
        "_links": {
            "self": link(links.url("/pacticipants"), "Pacticipants"),
            "pb:pacticipants": [link(links.pacticipant(item.name), "Pacticipant", item.name) for item in items],
            "curies": links.curies(),
        },
        "_embedded": {"pacticipants": embedded},
        "pacticipants": embedded,
    }


def label_summary(links: Links, pacticipant_name: str, name: str) -> dict[str, Any]:
    return {
        "name": name,
        "_links": {
            "self": link(
                links.url(f"{paths.pacticipant(pacticipant_name)}/labels/{paths.segment(name)}"), "Label", name
            )
        },
    }


def label(links: Links, item: Label) -> dict[str, Any]:
    return {
        "name": item.name,
        "createdAt": timestamp(item.created_at),
        "_embedded": {"pacticipant": {"name": item.pacticipant_name}},
        "_links": {
            "self": link(
                links.url(f"{paths.pacticipant(item.pacticipant_name)}/labels/{paths.segment(item.name)}"),
                "Label",
                item.name,
            ),
            "pb:pacticipant": link(links.pacticipant(item.pacticipant_name), "Pacticipant", item.pacticipant_name),
        },
    }
