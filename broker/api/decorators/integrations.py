"""JSON for integrations."""

from __future__ import annotations

from typing import Any

from broker import paths
from broker.api.decorators.common import pacticipant_summary, timestamp
from broker.api.links import Links, link
from broker.integrations.models import Integration


def integration(links: Links, item: Integration) -> dict[str, Any]:
    base = f"/integrations/provider/{paths.segment(item.provider_name)}/consumer/{paths.segment(item.consumer_name)}"
    pact_base = paths.pact_base(item.provider_name, item.consumer_name)
    return {
        "consumer": pacticipant_summary(links, item.consumer_name),
        "provider": pacticipant_summary(links, item.provider_name),
        "createdAt": timestamp(item.created_at),
        "contractDataUpdatedAt": timestamp(item.contract_data_updated_at),
        "_links": {
            "self": link(links.url(base), "Integration", f"{item.consumer_name} and {item.provider_name}"),
            "pb:latest-pact": link(links.url(f"{pact_base}/latest"), "Latest pact"),
            "pb:pacts": link(links.url(f"{pact_base}/versions"), "All pact versions"),
            "pb:matrix": link(
                links.url(
                    f"/matrix/provider/{paths.segment(item.provider_name)}/consumer/{paths.segment(item.consumer_name)}"
                ),
                "Matrix",
            ),
        },
    }


def integration_list(links: Links, items: list[Integration]) -> dict[str, Any]:
    return {
        "_embedded": {"integrations": [integration(links, item) for item in items]},
        "_links": {"self": link(links.url("/integrations"), "Integrations")},
    }
