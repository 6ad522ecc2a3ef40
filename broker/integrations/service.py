"""Listing integrations, and deleting one with everything its pair published."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from broker.errors import NotFoundError
from broker.integrations import repository
from broker.integrations.models import Integration
from broker.pacticipants import service as pacticipants
from broker.pacts.tables import latest_branch_pacts, latest_tag_pacts, pact_publications, pact_versions


def list_integrations(connection: Connection) -> list[Integration]:
    return repository.all_integrations(connection)


def get_integration(connection: Connection, consumer_name: str, provider_name: str) -> Integration:
    consumer = pacticipants.get_pacticipant(connection, consumer_name)
    provider = pacticipants.get_pacticipant(connection, provider_name)
    found = repository.find(connection, consumer.id, provider.id)
    if found is None:
        raise NotFoundError(f"No integration between '{consumer_name}' and '{provider_name}' found")
    return found


def delete_integration(connection: Connection, consumer_name: str, provider_name: str) -> Integration:
    """Removes the pair's pacts and verifications; the pacticipants and their versions stay."""
    integration = get_integration(connection, consumer_name, provider_name)
    pair = (
        pact_versions.c.consumer_id == integration.consumer_id,
        pact_versions.c.provider_id == integration.provider_id,
    )
    connection.execute(
        latest_branch_pacts.delete().where(
            latest_branch_pacts.c.consumer_id == integration.consumer_id,
            latest_branch_pacts.c.provider_id == integration.provider_id,
        )
    )
    connection.execute(
        latest_tag_pacts.delete().where(
            latest_tag_pacts.c.consumer_id == integration.consumer_id,
            latest_tag_pacts.c.provider_id == integration.provider_id,
        )
    )
    connection.execute(
        pact_publications.delete().where(
            pact_publications.c.consumer_id == integration.consumer_id,
            pact_publications.c.provider_id == integration.provider_id,
        )
    )
    connection.execute(pact_versions.delete().where(sa.and_(*pair)))
    repository.delete(connection, integration.consumer_id, integration.provider_id)
    return integration
