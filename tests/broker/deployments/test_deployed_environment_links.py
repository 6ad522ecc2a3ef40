"""`pb:deployed-environments` (and `pb:released-environments`) on version and pacticipant
resources, in the official broker's shape, so its clients find where a version runs."""

from __future__ import annotations

from tests.broker.support import BrokerClient


def test_a_version_links_every_environment_it_was_deployed_or_released_to(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api")
    broker.publish("web", "2", "api")
    broker.create_environment("test")
    first = broker.record_deployment("web", "1", "test", instance="blue")
    broker.record_deployment("web", "2", "test", instance="blue")  # replaces version 1 on blue
    released = broker.record_release("web", "1", "test")

    links = broker.get("/pacticipants/web/versions/1").json()["_links"]
    assert links["pb:deployed-environments"] == [
        {
            "title": "Version deployed to Test",
            "name": "Test",
            "href": first["_links"]["self"]["href"],
            "currently_deployed": False,
            "application_instance": "blue",
        }
    ]
    assert links["pb:released-environments"] == [
        {
            "title": "Version released to Test",
            "name": "Test",
            "href": released["_links"]["self"]["href"],
            "currently_supported": True,
        }
    ]
    listed = broker.get("/pacticipants/web/versions").json()["_embedded"]["versions"]
    by_number = {item["number"]: item["_links"]["pb:deployed-environments"] for item in listed}
    assert [entry["currently_deployed"] for entry in by_number["2"]] == [True]
    assert "application_instance" in by_number["2"][0]


def test_an_undeployed_version_has_an_empty_list(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api")
    assert broker.get("/pacticipants/web/versions/1").json()["_links"]["pb:deployed-environments"] == []
    assert broker.get("/pacticipants/web").json()["_links"]["pb:deployed-environments"] == []


def test_a_pacticipant_links_only_its_current_deployments(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api")
    broker.publish("web", "2", "api")
    broker.create_environment("production", production=True)
    broker.record_deployment("web", "1", "production")
    current = broker.record_deployment("web", "2", "production")

    deployed = broker.get("/pacticipants/web").json()["_links"]["pb:deployed-environments"]
    assert deployed == [
        {
            "title": "Version deployed to Production",
            "name": "Production",
            "href": current["_links"]["self"]["href"],
            "currently_deployed": True,
        }
    ]
    assert broker.get(deployed[0]["href"]).json()["_embedded"]["version"]["number"] == "2"
