"""The pact resources the clients fetch: by version, latest, branch, tag and content SHA."""

from __future__ import annotations

from tests.broker.support import BrokerClient, interaction


def test_a_pact_carries_interaction_ids_and_the_links_the_verifier_follows(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api", interactions=[interaction("a"), interaction("b")])
    pact = broker.pact("api", "web", "1")
    ids = [item["_id"] for item in pact["interactions"]]
    assert len(set(ids)) == 2
    assert all(len(i) == 40 for i in ids)
    links = pact["_links"]
    assert links["pb:provider"]["name"] == "api"
    assert links["pb:consumer"]["name"] == "web"
    assert links["pb:consumer-version"]["name"] == "1"
    assert "/pact-version/" in links["pb:publish-verification-results"]["href"]
    provider = broker.http.get(links["pb:provider"]["href"]).json()
    assert provider["_links"]["pb:branch-version"]["templated"] is True


def test_latest_pact_by_branch_tag_and_overall(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api", branch="main", tags=["prod"], interactions=[interaction("one")])
    broker.publish("web", "2", "api", branch="feat/x", interactions=[interaction("two")])
    base = "/pacts/provider/api/consumer/web"

    def version_of(path: str) -> str:
        response = broker.get(path)
        assert response.status_code == 200, (path, response.text)
        return response.json()["_links"]["pb:consumer-version"]["name"]

    assert version_of(f"{base}/latest") == "2"
    assert version_of(f"{base}/latest/prod") == "1"
    assert version_of(f"{base}/branch/latest") == "1", "main branch"
    assert version_of(f"{base}/branch/feat%2Fx/latest") == "2"
    assert broker.get(f"{base}/latest/none").status_code == 404


def test_pact_by_content_sha(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api")
    sha = broker.pact("api", "web", "1")["_links"]["pb:pact-version"]["name"]
    pact = broker.get(f"/pacts/provider/api/consumer/web/pact-version/{sha}").json()
    assert pact["consumer"]["name"] == "web"
    assert broker.get("/pacts/provider/api/consumer/web/pact-version/nope").status_code == 404


def test_identical_interactions_from_two_consumers_are_served_with_each_consumers_name(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api")
    broker.publish("mobile", "1", "api")
    assert broker.pact("api", "mobile", "1")["consumer"]["name"] == "mobile"
    assert broker.pact("api", "web", "1")["consumer"]["name"] == "web"


def test_lists_of_pacts_for_a_provider(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api", branch="main", tags=["prod"])
    broker.publish("web", "2", "api", branch="main", interactions=[interaction("new")])
    broker.publish("mobile", "7", "api", branch="develop")

    def names(path: str) -> list[str]:
        body = broker.get(path).json()
        return [f"{link['name']}@{link['href'].rsplit('/', 1)[-1]}" for link in body["_links"]["pb:pacts"]]

    assert names("/pacts/provider/api/latest") == ["mobile@7", "web@2"]
    assert names("/pacts/provider/api/branch/latest") == ["mobile@7", "web@2"]
    assert names("/pacts/provider/api/branch") == ["mobile@7", "web@2", "web@1"]
    assert names("/pacts/provider/api/tag/prod") == ["web@1"]
    assert names("/pacts/provider/api/latest/prod") == ["web@1"]
    assert names("/pacts/provider/api/consumer/web/versions") == ["web@2", "web@1"]
    latest = broker.get("/pacts/latest").json()["pacts"]
    assert [
        (p["_embedded"]["consumer"]["name"], p["_embedded"]["consumer"]["_embedded"]["version"]["number"])
        for p in latest
    ] == [
        ("mobile", "7"),
        ("web", "2"),
    ]


def test_provider_states_of_the_latest_pacts(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api", interactions=[interaction("a", state="a user exists"), interaction("b")])
    states = broker.get("/pacts/provider/api/provider-states").json()["providerStates"]
    assert states == [{"name": "a user exists", "consumers": ["web"]}]


def test_deleting_a_pact_moves_the_branch_head_back(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api", branch="main")
    broker.publish("web", "2", "api", branch="main", interactions=[interaction("x")])
    assert broker.delete("/pacts/provider/api/consumer/web/version/2").status_code == 200
    head = broker.get("/pacts/provider/api/consumer/web/branch/main/latest").json()
    assert head["_links"]["pb:consumer-version"]["name"] == "1"
