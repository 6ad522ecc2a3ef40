"""PostgreSQL writes a new publication in one statement; when another writer's publication of the
same consumer version stands in its way, it must leave everything to the step-by-step path."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from broker.pacticipants.tables import pacticipants
from broker.pacts import new_publication
from broker.storage.schema import utcnow
from broker.versions.tables import versions
from tests.broker.support import BrokerClient, encoded, interaction, pact_document


def _publish(broker: BrokerClient, description: str) -> None:
    answer = broker.post(
        "/contracts/publish",
        {
            "pacticipantName": "web",
            "pacticipantVersionNumber": "1",
            "branch": "main",
            "contracts": [
                {
                    "consumerName": "web",
                    "providerName": "api",
                    "specification": "pact",
                    "contentType": "application/json",
                    "content": encoded(pact_document("web", "api", interaction(description))),
                }
            ],
        },
    )
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_an_existing_publication_is_left_alone(broker: BrokerClient) -> None:
    _publish(broker, "the first content")
    database = broker.application.database
    with database.writing() as connection:
        ids = dict(connection.execute(sa.select(pacticipants.c.name, pacticipants.c.id)).all())
        version_id = connection.execute(sa.select(versions.c.id).where(versions.c.number == "1")).scalar_one()
        written = new_publication.insert(
            connection,
            consumer_id=ids["web"],
            provider_id=ids["api"],
            version_id=version_id,
            sha="0" * 40,
            content="{}",
            now=utcnow(),
            branch_ids=[],
            tag_names=[],
        )
    assert written is None
    pact = broker.get("/pacts/provider/api/consumer/web/version/1").json()
    assert [item["description"] for item in pact["interactions"]] == ["the first content"]
    latest = broker.get("/pacts/provider/api/consumer/web/branch/main/latest").json()
    assert [item["description"] for item in latest["interactions"]] == ["the first content"]
