"""Publishing a provider's OpenAPI document as a provider contract, with the evidence that the
provider honours it (self-verification results): what `solo60 fuzz --publish-provider-contract`
sends after fuzzing the live provider.

The request is the one the official clients send (`pact pactflow publish-provider-contract`):
a POST to the index's `pf:publish-provider-contract` relation with the version, branch, tags,
and the document and the verifier's report base64-encoded. So it works against our broker and
PactFlow alike; the broker then compares the document with the consumers' pacts, and
can-i-deploy counts a compatible pact as verified by this provider version when the
self-verification succeeded.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from solo60.harness.broker_access import BrokerClient, segment
from solo60.harness.versions import Revision

RELATION = "pf:publish-provider-contract"


@dataclass(frozen=True)
class SelfVerification:
    """What the provider's own tool found: did the provider honour the document, and its report."""

    success: bool
    report: str
    verifier: str
    verifier_version: str
    content_type: str = "text/plain"
    format: str = "text"


@dataclass(frozen=True)
class ProviderContractOptions:
    """Under which provider version, branch and tags the contract is published."""

    revision: Revision
    tags: Sequence[str] = field(default_factory=tuple)
    build_url: str | None = None


def publication_body(
    document: Mapping[str, Any], verification: SelfVerification, options: ProviderContractOptions
) -> dict[str, Any]:
    """The body the official clients POST: the document and the report as base64 text."""
    body: dict[str, Any] = {
        "pacticipantVersionNumber": options.revision.version,
        "branch": options.revision.branch,
        "tags": list(options.tags),
        "contract": {
            "content": _base64(json.dumps(document, indent=2, ensure_ascii=False)),
            "contentType": "application/json",
            "specification": "oas",
            "selfVerificationResults": {
                "success": verification.success,
                "content": _base64(verification.report),
                "contentType": verification.content_type,
                "format": verification.format,
                "verifier": verification.verifier,
                "verifierVersion": verification.verifier_version,
            },
        },
    }
    if options.build_url:
        body["buildUrl"] = options.build_url
    return body


def publish_provider_contract(
    client: BrokerClient,
    provider: str,
    document: Mapping[str, Any],
    verification: SelfVerification,
    options: ProviderContractOptions,
) -> dict[str, Any]:
    """POST the contract to the broker's `pf:publish-provider-contract`; its answer (notices, links)."""
    href = client.link(RELATION).replace("{provider}", segment(provider))
    return client.post(href, publication_body(document, verification, options))


def notices(answer: Mapping[str, Any]) -> list[str]:
    """The texts of the broker's notices, which the official client prints."""
    return [
        str(notice.get("text"))
        for notice in answer.get("notices", [])
        if isinstance(notice, Mapping) and notice.get("text")
    ]


def _base64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")
