"""Recorded deployments (per application instance) and releases (several at once)."""

from __future__ import annotations

from tests.broker.support import BrokerClient


def _deployed(broker: BrokerClient, environment: str, pacticipant: str | None = None) -> list[tuple[str, str | None]]:
    uuid = broker.environment_uuid(environment)
    params = {"pacticipant": pacticipant} if pacticipant else {}
    body = broker.get(f"/environments/{uuid}/deployed-versions/currently-deployed", params=params).json()
    return [
        (d["_embedded"]["version"]["number"], d["applicationInstance"]) for d in body["_embedded"]["deployedVersions"]
    ]


def test_a_new_deployment_replaces_the_previous_one_on_the_same_instance(broker: BrokerClient) -> None:
    broker.put("/pacticipants/api/versions/1")
    broker.put("/pacticipants/api/versions/2")
    first = broker.record_deployment("api", "1", "prod")
    assert first["currentlyDeployed"] is True
    broker.record_deployment("api", "2", "prod")
    assert _deployed(broker, "prod") == [("2", None)]
    assert broker.get(f"/deployed-versions/{first['uuid']}").json()["currentlyDeployed"] is False


def test_different_instances_are_deployed_side_by_side(broker: BrokerClient) -> None:
    for number in ("1", "2", "3"):
        broker.put(f"/pacticipants/api/versions/{number}")
    broker.record_deployment("api", "1", "prod", instance="blue")
    broker.record_deployment("api", "2", "prod", instance="green")
    broker.record_deployment("api", "3", "prod", instance="blue")
    assert sorted(_deployed(broker, "prod", "api")) == [("2", "green"), ("3", "blue")]


def test_recording_the_same_deployment_again_is_idempotent(broker: BrokerClient) -> None:
    broker.put("/pacticipants/api/versions/1")
    first = broker.record_deployment("api", "1", "prod")
    again = broker.record_deployment("api", "1", "prod")
    assert again["uuid"] == first["uuid"]


def test_undeploying_with_a_merge_patch(broker: BrokerClient) -> None:
    broker.put("/pacticipants/api/versions/1")
    deployed = broker.record_deployment("api", "1", "prod")
    response = broker.http.patch(
        f"/deployed-versions/{deployed['uuid']}",
        content=b'{"currentlyDeployed": false}',
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert response.status_code == 200
    assert response.json()["undeployedAt"] is not None
    assert _deployed(broker, "prod") == []
    redeploy = broker.patch(f"/deployed-versions/{deployed['uuid']}", {"currentlyDeployed": True})
    assert redeploy.status_code == 422


def test_releases_are_supported_side_by_side_until_support_ends(broker: BrokerClient) -> None:
    broker.put("/pacticipants/app/versions/1")
    broker.put("/pacticipants/app/versions/2")
    first = broker.record_release("app", "1", "store")
    broker.record_release("app", "2", "store")
    uuid = broker.environment_uuid("store")
    supported = broker.get(f"/environments/{uuid}/released-versions/currently-supported").json()
    assert [r["_embedded"]["version"]["number"] for r in supported["_embedded"]["releasedVersions"]] == ["1", "2"]
    ended = broker.patch(f"/released-versions/{first['uuid']}", {"currentlySupported": False})
    assert ended.json()["currentlySupported"] is False
    supported = broker.get(f"/environments/{uuid}/released-versions/currently-supported").json()
    assert [r["_embedded"]["version"]["number"] for r in supported["_embedded"]["releasedVersions"]] == ["2"]
    assert broker.record_release("app", "1", "store")["currentlySupported"] is True, "re-recording re-activates"


def test_recording_to_unknown_environment_or_version_is_404(broker: BrokerClient) -> None:
    uuid = broker.create_environment("prod")
    assert broker.post(f"/pacticipants/x/versions/1/deployed-versions/environment/{uuid}", {}).status_code == 404
    broker.put("/pacticipants/x/versions/1")
    assert broker.post("/pacticipants/x/versions/1/deployed-versions/environment/nope", {}).status_code == 404
