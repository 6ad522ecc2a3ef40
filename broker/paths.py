"""The broker's resource paths, built in one place with every segment percent-encoded.

HAL links (`broker.api.links`) prefix these with the public base URL; webhook templates use
them for `${pactbroker.pactUrl}` and friends. `/` inside a name becomes `%2F`, which is what
the official clients send and what the router (`broker.api.router`) decodes per segment.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote


@lru_cache(maxsize=4096)
def segment(value: str) -> str:
    """One path segment, percent-encoded (remembered: pages and HAL bodies encode the same few
    names hundreds of times a response)."""
    return quote(value, safe="")


def pacticipant(name: str) -> str:
    return f"/pacticipants/{segment(name)}"


def version(pacticipant_name: str, number: str) -> str:
    return f"{pacticipant(pacticipant_name)}/versions/{segment(number)}"


def version_tag(pacticipant_name: str, number: str, tag: str) -> str:
    return f"{version(pacticipant_name, number)}/tags/{segment(tag)}"


def branch(pacticipant_name: str, name: str) -> str:
    return f"{pacticipant(pacticipant_name)}/branches/{segment(name)}"


def branch_version(pacticipant_name: str, branch_name: str, number: str) -> str:
    return f"{branch(pacticipant_name, branch_name)}/versions/{segment(number)}"


def pact_base(provider: str, consumer: str) -> str:
    return f"/pacts/provider/{segment(provider)}/consumer/{segment(consumer)}"


def pact_for_version(provider: str, consumer: str, number: str) -> str:
    return f"{pact_base(provider, consumer)}/version/{segment(number)}"


def pact_version(provider: str, consumer: str, sha: str, metadata: str | None = None) -> str:
    path = f"{pact_base(provider, consumer)}/pact-version/{segment(sha)}"
    return f"{path}/metadata/{segment(metadata)}" if metadata else path


def verification_results(provider: str, consumer: str, sha: str, metadata: str | None = None) -> str:
    return f"{pact_version(provider, consumer, sha, metadata)}/verification-results"


def verification(provider: str, consumer: str, sha: str, number: int) -> str:
    return f"{pact_version(provider, consumer, sha)}/verification-results/{number}"


def environment(uuid: str) -> str:
    return f"/environments/{segment(uuid)}"


def deployed_version(uuid: str) -> str:
    return f"/deployed-versions/{segment(uuid)}"


def released_version(uuid: str) -> str:
    return f"/released-versions/{segment(uuid)}"


def webhook(uuid: str) -> str:
    return f"/webhooks/{segment(uuid)}"


def triggered_webhook(uuid: str) -> str:
    return f"/triggered-webhooks/{segment(uuid)}"


def bi_directional(
    provider: str, version_number: str, consumer: str | None = None, consumer_version: str | None = None
) -> str:
    """PactFlow's bi-directional resources of a provider version (and of one consumer version's
    pact against it)."""
    path = f"/contracts/bi-directional/provider/{segment(provider)}/version/{segment(version_number)}"
    if consumer is not None and consumer_version is not None:
        path += f"/consumer/{segment(consumer)}/version/{segment(consumer_version)}"
    return path
