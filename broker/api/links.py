"""Absolute URLs for HAL links: the public base URL (configured or seen by the request) plus
the paths from `broker.paths`."""

from __future__ import annotations

from typing import Any

from broker import paths


def link(href: str, title: str | None = None, name: str | None = None, templated: bool | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"href": href}
    if title is not None:
        result["title"] = title
    if name is not None:
        result["name"] = name
    if templated is not None:
        result["templated"] = templated
    return result


class Links:
    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/")

    def url(self, path: str) -> str:
        return self.base + path

    def templated(self, path: str) -> str:
        """A templated href: `{placeholders}` are kept literally for the client to fill."""
        return self.base + path

    def pacticipant(self, name: str) -> str:
        return self.url(paths.pacticipant(name))

    def version(self, pacticipant: str, number: str) -> str:
        return self.url(paths.version(pacticipant, number))

    def version_tag(self, pacticipant: str, number: str, tag: str) -> str:
        return self.url(paths.version_tag(pacticipant, number, tag))

    def branch(self, pacticipant: str, name: str) -> str:
        return self.url(paths.branch(pacticipant, name))

    def branch_version(self, pacticipant: str, branch: str, number: str) -> str:
        return self.url(paths.branch_version(pacticipant, branch, number))

    def pact_for_version(self, provider: str, consumer: str, number: str) -> str:
        return self.url(paths.pact_for_version(provider, consumer, number))

    def pact_version(self, provider: str, consumer: str, sha: str, metadata: str | None = None) -> str:
        return self.url(paths.pact_version(provider, consumer, sha, metadata))

    def verification_results(self, provider: str, consumer: str, sha: str, metadata: str | None = None) -> str:
        return self.url(paths.verification_results(provider, consumer, sha, metadata))

    def verification(self, provider: str, consumer: str, sha: str, number: int) -> str:
        return self.url(paths.verification(provider, consumer, sha, number))

    def environment(self, uuid: str) -> str:
        return self.url(paths.environment(uuid))

    def deployed_version(self, uuid: str) -> str:
        return self.url(paths.deployed_version(uuid))

    def released_version(self, uuid: str) -> str:
        return self.url(paths.released_version(uuid))

    def webhook(self, uuid: str) -> str:
        return self.url(paths.webhook(uuid))

    def triggered_webhook(self, uuid: str) -> str:
        return self.url(paths.triggered_webhook(uuid))

    def curies(self) -> list[dict[str, Any]]:
        return [
            {"name": "pb", "href": self.url("/doc/{rel}?context=index"), "templated": True},
            {"name": "beta", "href": self.url("/doc/{rel}?context=index"), "templated": True},
        ]
