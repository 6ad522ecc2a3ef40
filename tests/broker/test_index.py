"""The HAL index: every relation the clients look up, templated links, curies, base URLs."""

from __future__ import annotations

from tests.broker.support import BrokerClient, run_pact

REQUIRED_RELATIONS = [
    "pb:publish-pact",
    "pb:publish-contracts",
    "pb:latest-pact-versions",
    "pb:tagged-pact-versions",
    "pb:branch-pact-versions",
    "pb:latest-branch-pact-versions",
    "pb:main-branch-pact-versions",
    "pb:latest-main-branch-pact-versions",
    "pb:provider-pacts-with-main-branch",
    "pb:provider-pacts-with-branch",
    "pb:latest-provider-pacts-with-main-branch",
    "pb:latest-provider-pacts-with-branch",
    "pb:pacticipants",
    "pb:pacticipant",
    "pb:latest-provider-pacts",
    "pb:latest-provider-pacts-with-tag",
    "pb:provider-pacts-with-tag",
    "pb:provider-pacts",
    "pb:latest-version",
    "pb:latest-tagged-version",
    "pb:webhooks",
    "pb:webhook",
    "pb:integrations",
    "pb:pacticipant-version-tag",
    "pb:pacticipant-branch",
    "pb:pacticipant-branch-version",
    "pb:pacticipant-version",
    "pb:metrics",
    "pb:can-i-deploy-pacticipant-version-to-tag",
    "pb:can-i-deploy-pacticipant-version-to-environment",
    "pb:provider-pacts-for-verification",
    "beta:provider-pacts-for-verification",
    "pb:environments",
    "pb:environment",
]


def test_index_is_hal_json_with_every_relation_the_clients_use(broker: BrokerClient) -> None:
    response = broker.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/hal+json")
    links = response.json()["_links"]
    missing = [rel for rel in REQUIRED_RELATIONS if rel not in links]
    assert not missing
    assert links["pb:pacticipant"]["templated"] is True
    assert links["pb:pacticipant"]["href"] == f"{broker.url}/pacticipants/{{pacticipant}}"
    assert links["pb:publish-contracts"]["href"] == f"{broker.url}/contracts/publish"
    assert {curie["name"] for curie in links["curies"]} == {"pb", "beta"}


def test_links_follow_the_host_the_client_used_and_forwarded_headers(broker: BrokerClient) -> None:
    links = broker.get("/", headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "pacts.example.com"}).json()[
        "_links"
    ]
    assert links["pb:pacticipants"]["href"] == "https://pacts.example.com/pacticipants"


def test_a_configured_absolute_base_url_is_used_in_every_link(start_broker) -> None:
    with start_broker(base_url="https://broker.example.com/pact") as client:
        links = client.get("/").json()["_links"]
        assert links["pb:pacticipants"]["href"] == "https://broker.example.com/pact/pacticipants"
        assert client.get("/pact/pacticipants").status_code == 200, "requests that keep the prefix route too"


def test_the_cli_works_against_a_broker_hosted_under_a_context_path(start_broker, pacts_dir) -> None:
    from tests.broker.support import interaction, write_pact

    with start_broker(base_url="/broker") as client:
        assert client.url.endswith("/broker")
        write_pact(pacts_dir, "web", "api", interaction("get a thing"))
        published = run_pact(client.url, "publish", str(pacts_dir), "--consumer-app-version", "1", "--branch", "main")
        assert published.returncode == 0, published.stderr
        assert f"{client.url}/pacts/provider/api/consumer/web/version/1" in published.stdout
        listed = run_pact(client.url, "list-pacticipants")
        assert listed.returncode == 0
        assert "web" in listed.stdout
        deploy = run_pact(client.url, "can-i-deploy", "--pacticipant", "web", "--version", "1")
        assert deploy.returncode == 1, "unverified, so not deployable"
        assert "There is no verified pact" in deploy.stdout
