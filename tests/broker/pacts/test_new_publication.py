"""PostgreSQL writes a new publication in one statement; when another writer's publication of the
same consumer version stands in its way, it must leave everything to the step-by-step path."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from broker.pacticipants.tables import pacticipants
from broker.pacts import new_publication
from broker.pacts.tables import pact_contents
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


def _publish_many(broker: BrokerClient, number: str, documents: dict[str, dict]) -> dict:
    answer = broker.post(
        "/contracts/publish",
        {
            "pacticipantName": "web",
            "pacticipantVersionNumber": number,
            "branch": "main",
            "contracts": [
                {"consumerName": "web", "providerName": provider, "content": encoded(document)}
                for provider, document in documents.items()
            ],
        },
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def _descriptions(broker: BrokerClient, path: str) -> list[str]:
    return [item["description"] for item in broker.get(path).json()["interactions"]]


def test_every_pact_of_a_new_version_is_published_with_its_heads(broker: BrokerClient) -> None:
    """A new version's pacts to several providers (one statement on PostgreSQL): each is there,
    is its provider's latest on the branch, and has its integration."""
    documents = {name: pact_document("web", name, interaction(f"for {name}")) for name in ("api", "billing", "mail")}
    _publish_many(broker, "1", documents)
    for name in documents:
        assert _descriptions(broker, f"/pacts/provider/{name}/consumer/web/version/1") == [f"for {name}"]
        assert _descriptions(broker, f"/pacts/provider/{name}/consumer/web/branch/main/latest") == [f"for {name}"]
    integrations = broker.get("/integrations").json()["_embedded"]["integrations"]
    assert sorted(item["provider"]["name"] for item in integrations) == ["api", "billing", "mail"]


def test_the_same_content_for_two_providers_in_one_publish(broker: BrokerClient) -> None:
    """Two pacts with one content (the SHA leaves the names out): one statement stores the content
    once and publishes both (its snapshot would not show the row the first pact just stored)."""
    document = {"interactions": [interaction("shared")], "metadata": {"pactSpecification": {"version": "4.0"}}}
    body = _publish_many(broker, "1", {"api": document, "billing": document})
    assert len(body["_links"]["pb:contracts"]) == 2
    assert _count(broker, pact_contents) == 1
    for name in ("api", "billing"):
        assert _descriptions(broker, f"/pacts/provider/{name}/consumer/web/version/1") == ["shared"]
    _publish_many(broker, "2", {"api": document, "billing": document})
    for name in ("api", "billing"):
        assert _descriptions(broker, f"/pacts/provider/{name}/consumer/web/version/2") == ["shared"]


def _count(broker: BrokerClient, table: sa.Table) -> int:
    with broker.application.database.engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
