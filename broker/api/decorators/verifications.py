"""JSON for verification results."""

from __future__ import annotations

from typing import Any

from broker.api.decorators.common import timestamp
from broker.api.links import Links, link
from broker.verifications.models import Verification


def verification(links: Links, item: Verification) -> dict[str, Any]:
    href = links.verification(item.provider_name, item.consumer_name, item.sha, item.number)
    return {
        "providerName": item.provider_name,
        "providerApplicationVersion": item.provider_version_number,
        "success": item.success,
        "verificationDate": timestamp(item.created_at),
        "buildUrl": item.build_url,
        "testResults": item.test_results,
        "verifiedBy": item.verified_by,
        "wip": item.wip,
        "pending": item.pact_pending,
        "_links": {
            "self": link(href, "Verification result", f"Verification result {item.number}"),
            "pb:pact-version": link(
                links.pact_version(item.provider_name, item.consumer_name, item.sha), "Pact", item.sha
            ),
            "pb:provider-version": link(
                links.version(item.provider_name, item.provider_version_number),
                "Provider version",
                item.provider_version_number,
            ),
        },
    }
