"""Import every domain's tables so the shared metadata describes the whole schema."""

from broker.deployments.tables import deployed_versions, environments, released_versions
from broker.integrations.tables import integrations
from broker.pacticipants.tables import labels, pacticipants
from broker.pacts.tables import (
    latest_branch_pacts,
    latest_tag_pacts,
    pact_contents,
    pact_publications,
    pact_versions,
    superseded_pact_revisions,
)
from broker.provider_contracts.tables import cross_contract_results, provider_contract_contents, provider_contracts
from broker.storage.schema import metadata
from broker.verifications.tables import latest_verifications, verifications
from broker.versions.tables import branch_versions, branches, tags, versions
from broker.webhooks.tables import triggered_webhooks, webhook_executions, webhooks

__all__ = [
    "branch_versions",
    "branches",
    "cross_contract_results",
    "deployed_versions",
    "environments",
    "integrations",
    "labels",
    "latest_branch_pacts",
    "latest_tag_pacts",
    "latest_verifications",
    "metadata",
    "pact_contents",
    "pact_publications",
    "pact_versions",
    "pacticipants",
    "provider_contract_contents",
    "provider_contracts",
    "released_versions",
    "superseded_pact_revisions",
    "tags",
    "triggered_webhooks",
    "verifications",
    "versions",
    "webhook_executions",
    "webhooks",
]
