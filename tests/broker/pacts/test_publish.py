"""Publishing: POST /contracts/publish and the legacy PUT, content stored once per SHA, 409 on
changed content, safe repeats."""

from __future__ import annotations

import base64
import json

import pytest
import sqlalchemy as sa

from broker.pacts.tables import pact_contents, pact_publications
from tests.broker.support import BrokerClient, encoded, interaction, pact_document


def _count(broker: BrokerClient, table: sa.Table) -> int:
    with broker.application.database.engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_publish_response_has_the_shape_the_cli_parses(broker: BrokerClient) -> None:
    body = broker.publish("web", "1", ["api", "billing"], branch="main", tags=["a", "b"])
    assert body["_embedded"]["pacticipant"]["name"] == "web"
    assert body["_embedded"]["version"]["number"] == "1"
    assert body["logs"]
    assert [link["name"] for link in body["_links"]["pb:pacticipant-version-tags"]] == ["a", "b"]
    assert len(body["_links"]["pb:contracts"]) == 2
    texts = [notice["text"] for notice in body["notices"]]
    assert texts[0] == "Created web version 1 with branch main and tags a, b"
    assert "Pact successfully published for web version 1 and provider api." in texts


def test_the_same_content_from_many_versions_is_stored_once(broker: BrokerClient) -> None:
    for number in range(1, 6):
        broker.publish("web", str(number), "api")
    assert _count(broker, pact_publications) == 5
    assert _count(broker, pact_contents) == 1


def test_interaction_order_and_names_do_not_change_the_content_sha(broker: BrokerClient) -> None:
    first, second = interaction("a"), interaction("b")
    broker.publish("web", "1", "api", interactions=[first, second])
    broker.publish("web", "2", "api", interactions=[second, first])
    one = broker.pact("api", "web", "1")["_links"]["pb:pact-version"]["name"]
    two = broker.pact("api", "web", "2")["_links"]["pb:pact-version"]["name"]
    assert one == two


def test_republishing_identical_content_is_a_safe_no_op(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api")
    again = broker.publish("web", "1", "api")
    assert any("no content changes" in notice["text"] for notice in again["notices"])
    assert _count(broker, pact_publications) == 1


def test_changed_content_for_an_existing_version_is_a_conflict_with_notices(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api", interactions=[interaction("a")])
    body = broker.publish("web", "1", "api", interactions=[interaction("a"), interaction("b")], expect=409)
    assert body["notices"][0]["type"] == "error"
    assert "Cannot change the content of the pact for web version 1" in body["notices"][0]["text"]
    assert "+ interaction 'b'" in body["notices"][1]["text"]
    assert body["errors"] == {"contracts": [body["notices"][0]["text"]]}
    assert len(broker.pact("api", "web", "1")["interactions"]) == 1


def test_a_conflict_rolls_back_the_whole_publication(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api", interactions=[interaction("a")])
    broker.publish("web", "1", ["api", "billing"], interactions=[interaction("changed")], expect=409)
    assert broker.get("/pacts/provider/billing/consumer/web/latest").status_code == 404


def test_operators_can_allow_changing_content_and_merging(start_broker) -> None:
    with start_broker(allow_dangerous_contract_modification=True) as client:
        client.publish("web", "1", "api", interactions=[interaction("a")])
        client.publish("web", "1", "api", interactions=[interaction("b")])
        assert [i["description"] for i in client.pact("api", "web", "1")["interactions"]] == ["b"]
        merged = client.post(
            "/contracts/publish",
            {
                "pacticipantName": "web",
                "pacticipantVersionNumber": "1",
                "contracts": [
                    {
                        "consumerName": "web",
                        "providerName": "api",
                        "content": encoded(pact_document("web", "api", interaction("c"))),
                        "onConflict": "merge",
                    }
                ],
            },
        )
        assert merged.status_code == 200
        assert [i["description"] for i in client.pact("api", "web", "1")["interactions"]] == ["b", "c"]


def test_legacy_put_creates_then_republishes_then_conflicts(broker: BrokerClient) -> None:
    path = "/pacts/provider/api/consumer/web/version/1.0.0"
    document = pact_document("web", "api", interaction("a"))
    assert broker.put(path, document).status_code == 201
    assert broker.put(path, document).status_code == 200
    assert broker.put(path, pact_document("web", "api", interaction("z"))).status_code == 409
    merged = broker.patch(path, pact_document("web", "api", interaction("b")))
    assert merged.status_code == 200
    assert [i["description"] for i in merged.json()["interactions"]] == ["a", "b"]


@pytest.mark.parametrize("states", [{"providerStates": 2.5}, {"providerStates": ["a"]}, {"providerState": 7}])
def test_provider_states_of_the_wrong_type_are_refused_not_crashed_on(broker: BrokerClient, states: dict) -> None:
    path = "/pacts/provider/api/consumer/web/version/1.0.0"
    assert broker.put(path, pact_document("web", "api", interaction("a"))).status_code == 201
    changed = pact_document("web", "api", {**interaction("a"), **states})
    response = broker.put(path, changed)
    assert response.status_code == 400, response.text
    assert "providerState" in response.text


def test_legacy_put_refuses_a_pact_for_another_consumer(broker: BrokerClient) -> None:
    response = broker.put("/pacts/provider/api/consumer/web/version/1", pact_document("other", "api"))
    assert response.status_code == 400
    assert "consumer.name" in response.json()["errors"]


def test_invalid_contracts_are_refused_by_field(broker: BrokerClient) -> None:
    not_a_pact = base64.b64encode(json.dumps({"hello": "world"}).encode()).decode()
    response = broker.post(
        "/contracts/publish",
        {
            "pacticipantName": "web",
            "pacticipantVersionNumber": "1",
            "contracts": [
                {"consumerName": "web", "providerName": "api", "content": "!!!not base64"},
                {"consumerName": "web", "providerName": "api", "content": not_a_pact},
                {"consumerName": "other", "providerName": "api", "content": encoded(pact_document("other", "api"))},
                {"consumerName": "web", "providerName": "api", "content": base64.b64encode(b"\xff\xfe").decode()},
            ],
        },
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"contracts.0", "contracts.1", "contracts.2", "contracts.3"}
    assert "base64" in errors["contracts.0"][0]
    assert "not a pact" in errors["contracts.1"][0]
    assert broker.get("/pacticipants/web").status_code == 404, "nothing was stored"


def test_versions_published_on_an_existing_branch_are_on_it_newest_first(broker: BrokerClient) -> None:
    """The second publish on a branch finds the branch and creates the version on it (one
    statement on PostgreSQL); a republish of an existing version leaves the branch as it was."""
    broker.publish("web", "1", "api", branch="feat")
    second = broker.publish("web", "2", "api", branch="feat")
    broker.publish("web", "2", "api", branch="feat")
    assert second["notices"][0]["text"] == "Created web version 2 with branch feat"
    versions = broker.get("/pacticipants/web/branches/feat/versions").json()["_embedded"]["versions"]
    assert [version["number"] for version in versions] == ["2", "1"]
    assert broker.get("/pacticipants/web").json()["mainBranch"] is None  # only develop/main/master are detected
    broker.publish("web", "3", "api", branch="main")
    broker.publish("web", "4", "api", branch="main")
    assert broker.get("/pacticipants/web").json()["mainBranch"] == "main"
    main = broker.get("/pacticipants/web/branches/main/versions").json()["_embedded"]["versions"]
    assert [version["number"] for version in main] == ["4", "3"]
