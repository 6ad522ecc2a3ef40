"""Turning events into triggered webhooks, written in the same transaction as the event.

The triggered rows are an outbox: the publication and its webhook jobs commit together, and the
worker (`broker.webhooks.worker`) executes them afterwards, surviving restarts.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from broker.deployments import repository as deployments_repository
from broker.pacticipants import repository as pacticipants_repository
from broker.pacticipants.models import Pacticipant
from broker.pacts import repository as pacts_repository
from broker.pacts.models import Publication
from broker.verifications.models import Verification
from broker.verifications.tables import latest_verifications
from broker.versions import branches
from broker.versions.models import Version
from broker.webhooks import context as template_context
from broker.webhooks import repository
from broker.webhooks.events import EventName
from broker.webhooks.models import Webhook
from broker.webhooks.repository import EnabledWebhook


def _matching(
    connection: Connection, consumer_id: int, provider_id: int, enabled: Sequence[EnabledWebhook] | None = None
) -> list[Webhook]:
    """The enabled webhooks for this pair; `enabled` is every enabled webhook, when the caller
    already loaded them (a publish loads them once for all its pacts)."""
    candidates = (
        repository.enabled_for(connection, consumer_id, provider_id)
        if enabled is None
        else [
            (hook, consumer, provider)
            for hook, consumer, provider in enabled
            if consumer in (None, consumer_id) and provider in (None, provider_id)
        ]
    )
    if not candidates:
        return []
    needs_labels = any(hook.consumer_label or hook.provider_label for hook, _, _ in candidates)
    labels = pacticipants_repository.ids_with_labels(connection, [consumer_id, provider_id]) if needs_labels else {}
    matching = []
    for hook, _, _ in candidates:
        if hook.consumer_label and hook.consumer_label not in labels.get(consumer_id, []):
            continue
        if hook.provider_label and hook.provider_label not in labels.get(provider_id, []):
            continue
        matching.append(hook)
    return matching


def _provider_versions_requiring_verification(
    connection: Connection, publication: Publication
) -> list[tuple[Version, str]]:
    """Provider versions that matter (main branch head, deployed, released) lacking a success."""
    provider = pacticipants_repository.find_by_id(connection, publication.provider_id)
    assert isinstance(provider, Pacticipant)
    candidates: dict[int, tuple[Version, str]] = {}
    if provider.main_branch:
        branch = branches.find(connection, provider.id, provider.main_branch)
        head = branches.head(connection, branch.id) if branch else None
        if head is not None:
            candidates[head.id] = (head, provider.main_branch)
    for deployed in deployments_repository.currently_deployed(connection, pacticipant_ids=[provider.id]):
        candidates.setdefault(deployed.version.id, (deployed.version, ""))
    for released in deployments_repository.currently_supported(connection, pacticipant_ids=[provider.id]):
        candidates.setdefault(released.version.id, (released.version, ""))
    if not candidates:
        return []
    verified = set(
        connection.execute(
            sa.select(latest_verifications.c.provider_version_id).where(
                latest_verifications.c.pact_version_id == publication.pact_version_id,
                latest_verifications.c.provider_version_id.in_(list(candidates)),
                latest_verifications.c.success.is_(True),
            )
        ).scalars()
    )
    return [candidate for version_id, candidate in candidates.items() if version_id not in verified]


def pact_published(
    connection: Connection,
    publication: Publication,
    events: list[str],
    enabled: Sequence[EnabledWebhook] | None = None,
) -> list[str]:
    """Trigger webhooks for a publication's events; returns any further events detected.
    `enabled`: every enabled webhook, if the caller already has them."""
    requiring = EventName.CONTRACT_REQUIRING_VERIFICATION_PUBLISHED.value
    hooks = [
        hook
        for hook in _matching(connection, publication.consumer_id, publication.provider_id, enabled)
        if requiring in hook.events or any(event in hook.events for event in events)
    ]
    if not hooks:  # none listens to these events: no context to build
        return []
    context = template_context.publication_context(connection, publication)
    for hook in hooks:
        for event in events:
            if event in hook.events:
                repository.insert_triggered(
                    connection,
                    hook.id,
                    event,
                    {**context, "eventName": event},
                    publication.consumer_id,
                    publication.provider_id,
                )
    listening = [hook for hook in hooks if requiring in hook.events]
    if not listening:
        return []
    needing = _provider_versions_requiring_verification(connection, publication)
    for version, branch_name in needing:
        provider_context = {
            **context,
            "eventName": requiring,
            "providerVersionNumber": version.number,
            "providerVersionBranch": branch_name,
            "providerVersionDescriptions": f"branch {branch_name}" if branch_name else "",
        }
        for hook in listening:
            repository.insert_triggered(
                connection, hook.id, requiring, provider_context, publication.consumer_id, publication.provider_id
            )
    return [requiring] if needing else []


def verification_published(connection: Connection, verification: Verification) -> list[str]:
    events = [
        EventName.PROVIDER_VERIFICATION_PUBLISHED.value,
        (
            EventName.PROVIDER_VERIFICATION_SUCCEEDED
            if verification.success
            else EventName.PROVIDER_VERIFICATION_FAILED
        ).value,
    ]
    hooks = _matching(connection, verification.consumer_id, verification.provider_id)
    if not hooks:
        return events
    publication = pacts_repository.latest_publication_of_pact_version(connection, verification.pact_version_id)
    context = template_context.verification_context(connection, verification, publication)
    for hook in hooks:
        for event in events:
            if event in hook.events:
                repository.insert_triggered(
                    connection,
                    hook.id,
                    event,
                    {**context, "eventName": event},
                    verification.consumer_id,
                    verification.provider_id,
                )
    return events
