"""Publishing pacts to a broker: the one way `solo60 publish`, `pytest consumers/ --publish` and the
pipeline put pacts into the broker.

Before anything is sent, every pact is checked against the run manifest beside it
(`made/runs.py`): a pact that a partial or failing run of its pair left, that no complete
run wrote, or that changed since, is refused with the reason, and nothing is published. Each
pact is then POSTed to the broker's `pb:publish-contracts` relation as `pact broker publish`
does, under the consumer version and branch the caller resolved (`versions.py`).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from solo60.harness.broker_access import BrokerClient
from solo60.harness.made.pact_files import PactFile
from solo60.harness.made.runs import RunManifest
from solo60.harness.versions import Revision


class PublishRefused(RuntimeError):
    """Some pacts are not the whole record of their pair; the message gives each reason."""

    def __init__(self, reasons: Sequence[str]) -> None:
        super().__init__("refusing to publish: " + " | ".join(reasons))
        self.reasons = list(reasons)


@dataclass(frozen=True)
class PublishOptions:
    """How pacts are published: the consumer's version and branch, tags and the build's URL."""

    revision: Revision
    tags: Sequence[str] = field(default_factory=tuple)
    build_url: str | None = None


def refusals(pacts: Sequence[PactFile]) -> list[str]:
    """Why each of these pacts may not be published (nothing when all may)."""
    manifests: dict[Any, RunManifest] = {}
    reasons = []
    for pact in pacts:
        directory = pact.path.parent
        manifest = manifests.setdefault(directory, RunManifest.load(directory))
        reason = manifest.refusal(pact)
        if reason is not None:
            reasons.append(reason)
    return reasons


def publish_pacts(
    client: BrokerClient,
    pacts: Sequence[PactFile],
    options: PublishOptions,
    *,
    published: Callable[[PactFile], None] | None = None,
) -> list[PactFile]:
    """Publish every pact, after checking all of them; `published` is told of each one sent."""
    refused = refusals(pacts)
    if refused:
        raise PublishRefused(refused)
    for pact in pacts:
        publish_pact(client, pact, options)
        if published is not None:
            published(pact)
    return list(pacts)


def publish_pact(client: BrokerClient, pact: PactFile, options: PublishOptions) -> dict[str, Any]:
    """POST one pact to `pb:publish-contracts`, as `pact broker publish` does (no manifest check)."""
    body: dict[str, Any] = {
        "pacticipantName": pact.consumer,
        "pacticipantVersionNumber": options.revision.version,
        "branch": options.revision.branch,
        "contracts": [
            {
                "consumerName": pact.consumer,
                "providerName": pact.provider,
                "specification": "pact",
                "contentType": "application/json",
                "content": base64.b64encode(pact.path.read_bytes()).decode(),
                "onConflict": "overwrite",
            }
        ],
    }
    if options.tags:
        body["tags"] = list(options.tags)
    if options.build_url:
        body["buildUrl"] = options.build_url
    return client.post(client.link("pb:publish-contracts"), body)
