"""Webhooks: definitions, the six events, templates, execution with retries and a log,
test execution, and credentials kept out of responses and logs."""

from __future__ import annotations

import json
import time
from typing import Any

from tests.broker.support import BrokerClient, Receiver, interaction


def _webhook(url: str, *events: str, **extra: Any) -> dict[str, Any]:
    return {
        "description": "notify CI",
        "events": [{"name": event} for event in events] or [{"name": "contract_content_changed"}],
        "request": {
            "method": "POST",
            "url": url,
            "headers": {"Content-Type": "application/json", "Authorization": "Bearer s3cret-token"},
            "body": {
                "consumer": "${pactbroker.consumerName}",
                "pact": "${pactbroker.pactUrl}",
                "branch": "${pactbroker.consumerVersionBranch}",
            },
        },
        **extra,
    }


def _triggered(broker: BrokerClient, uuid: str, status: str, timeout: float = 10.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        items = broker.get(f"/webhooks/{uuid}/triggered-webhooks").json()["_embedded"]["triggeredWebhooks"]
        if (items and all(item["status"] == status for item in items)) or time.monotonic() > deadline:
            return items
        time.sleep(0.1)


def test_a_publication_calls_the_webhook_with_templates_filled(broker: BrokerClient, receiver: Receiver) -> None:
    created = broker.post(
        "/webhooks", _webhook(f"{receiver.url}/hook?c=${{pactbroker.consumerName}}", "contract_published")
    )
    assert created.status_code == 201
    broker.publish("web app", "1", "api", branch="feat/x")
    [request] = receiver.wait_for(1)
    assert request.path == "/hook?c=web%20app", "URL values are percent-encoded"
    body = json.loads(request.body)
    assert body["consumer"] == "web app"
    assert body["branch"] == "feat/x"
    assert body["pact"].startswith(broker.url + "/pacts/provider/api/consumer/web%20app/pact-version/")
    assert request.headers["authorization"] == "Bearer s3cret-token"
    [triggered] = _triggered(broker, created.json()["uuid"], "success")
    assert triggered["eventName"] == "contract_published"
    logs = triggered["executions"][0]["logs"]
    assert "s3cret-token" not in logs
    assert "**********" in logs


def test_content_changed_fires_only_when_the_content_changes(broker: BrokerClient, receiver: Receiver) -> None:
    broker.post("/webhooks", _webhook(receiver.url, "contract_content_changed"))
    broker.publish("web", "1", "api", interactions=[interaction("a")])
    broker.publish("web", "2", "api", interactions=[interaction("a")])
    broker.publish("web", "3", "api", interactions=[interaction("b")])
    received = receiver.wait_for(2)
    time.sleep(0.5)
    assert len(receiver.requests) == 2
    assert len(received) == 2


def test_content_changed_fires_when_a_pact_returns_to_an_earlier_content(
    broker: BrokerClient, receiver: Receiver
) -> None:
    """The content is compared with the previous consumer version's, not with every content the
    pair ever published: going back to an earlier content is a change too."""
    broker.post("/webhooks", _webhook(receiver.url, "contract_content_changed"))
    broker.publish("web", "1", "api", interactions=[interaction("a")])
    broker.publish("web", "2", "api", interactions=[interaction("b")])
    broker.publish("web", "3", "api", interactions=[interaction("a")])
    broker.publish("web", "4", "api", interactions=[interaction("a")])
    received = receiver.wait_for(3)
    time.sleep(0.5)
    assert len(receiver.requests) == 3
    assert len(received) == 3


def test_verification_events(broker: BrokerClient, receiver: Receiver) -> None:
    hook = _webhook(
        receiver.url,
        "provider_verification_published",
        "provider_verification_failed",
        "provider_verification_succeeded",
    )
    hook["request"]["body"] = (
        "${pactbroker.eventName} ${pactbroker.providerVersionNumber} ${pactbroker.githubVerificationStatus}"
    )
    broker.post("/webhooks", hook)
    broker.publish("web", "1", "api")
    broker.verify("api", "web", "1", "7", success=False)
    bodies = sorted(request.body for request in receiver.wait_for(2))
    assert bodies == ["provider_verification_failed 7 failure", "provider_verification_published 7 failure"]


def test_contract_requiring_verification_fires_per_provider_version_that_must_verify(
    broker: BrokerClient, receiver: Receiver
) -> None:
    hook = _webhook(receiver.url, "contract_requiring_verification_published")
    hook["request"]["body"] = "${pactbroker.providerVersionNumber}@${pactbroker.providerVersionBranch}"
    broker.post("/webhooks", hook)
    broker.put("/pacticipants/api/branches/main/versions/20")
    broker.put("/pacticipants/api/versions/15")
    broker.record_deployment("api", "15", "prod")
    body = broker.publish("web", "1", "api")
    assert "contract_requiring_verification_published" in json.dumps(body["notices"])
    assert sorted(r.body for r in receiver.wait_for(2)) == ["15@", "20@main"]


def test_failed_calls_are_retried_on_schedule_and_every_attempt_is_logged(
    broker: BrokerClient, receiver: Receiver
) -> None:
    receiver.statuses = [500, 503]
    uuid = broker.post("/webhooks", _webhook(receiver.url, "contract_published")).json()["uuid"]
    broker.publish("web", "1", "api")
    [triggered] = _triggered(broker, uuid, "success")
    assert triggered["attempts"] == 3
    assert [e["success"] for e in triggered["executions"]] == [False, False, True]
    assert len(receiver.requests) == 3


def test_a_webhook_that_keeps_failing_ends_as_failed(broker: BrokerClient, receiver: Receiver) -> None:
    receiver.statuses = [500] * 10
    uuid = broker.post("/webhooks", _webhook(receiver.url, "contract_published")).json()["uuid"]
    broker.publish("web", "1", "api")
    [triggered] = _triggered(broker, uuid, "failure")
    assert triggered["status"] == "failure"
    assert triggered["attempts"] == 3, "first try plus the two retries of the test schedule"


def test_webhooks_scoped_to_a_pacticipant_or_label(broker: BrokerClient, receiver: Receiver) -> None:
    broker.put("/pacticipants/web")
    broker.put("/pacticipants/mobile/labels/apps")
    broker.post("/webhooks", _webhook(f"{receiver.url}/web", "contract_published", consumer={"name": "web"}))
    broker.post("/webhooks", _webhook(f"{receiver.url}/apps", "contract_published", consumer={"label": "apps"}))
    broker.publish("web", "1", "api")
    broker.publish("mobile", "1", "api")
    broker.publish("other", "1", "api")
    paths = sorted(r.path for r in receiver.wait_for(2))
    time.sleep(0.3)
    assert paths == ["/apps", "/web"]
    assert len(broker.get("/webhooks/consumer/web").json()["_embedded"]["webhooks"]) == 1


def test_test_execution_runs_now_and_reports_the_result(broker: BrokerClient, receiver: Receiver) -> None:
    broker.publish("web", "1", "api")
    uuid = broker.post("/webhooks", _webhook(receiver.url, "contract_published")).json()["uuid"]
    result = broker.post(f"/webhooks/{uuid}/execute", {})
    assert result.status_code == 200
    body = result.json()
    assert body["success"] is True
    assert body["response"]["status"] == 200
    assert body["request"]["headers"]["Authorization"] == "**********"
    assert json.loads(receiver.requests[0].body)["consumer"] == "web"
    receiver.statuses = [404]
    assert broker.post(f"/webhooks/{uuid}/execute").json()["success"] is False


def test_definitions_hide_credentials_and_can_be_replaced_and_deleted(broker: BrokerClient, receiver: Receiver) -> None:
    hook = _webhook(receiver.url, "contract_published")
    hook["request"].update({"username": "ci", "password": "hunter22"})
    uuid = "my-chosen-uuid-0001"
    assert broker.put(f"/webhooks/{uuid}", hook).status_code == 201
    shown = broker.get(f"/webhooks/{uuid}").json()
    assert shown["request"]["password"] == "**********"
    assert shown["request"]["headers"]["Authorization"] == "**********"
    assert "hunter22" not in json.dumps(shown)
    assert broker.put(f"/webhooks/{uuid}", {**hook, "enabled": False}).status_code == 200
    assert broker.get(f"/webhooks/{uuid}").json()["enabled"] is False
    assert broker.delete(f"/webhooks/{uuid}").status_code == 200
    assert broker.get(f"/webhooks/{uuid}").status_code == 404


def test_invalid_definitions_are_refused_by_field(broker: BrokerClient) -> None:
    cases = [
        ({"request": {"method": "POST", "url": "ftp://x.example.com"}}, "request.url"),
        ({"request": {"method": "POST", "url": "https://${pactbroker.consumerName}.example.com/"}}, "request.url"),
        ({"request": {"method": "DELETE", "url": "https://example.com"}}, "request.method"),
        ({"request": {"method": "POST", "url": "https://example.com"}, "events": []}, "events"),
        ({"request": {"method": "POST", "url": "https://example.com"}, "events": [{"name": "nope"}]}, "events[0].name"),
        ({"request": {"method": "POST", "url": "https://example.com"}, "consumer": {"name": "ghost"}}, "consumer.name"),
        (
            {"request": {"method": "POST", "url": "https://e.com", "headers": {"X": "a\r\nInjected: 1"}}},
            "request.headers",
        ),
        ({"request": {"method": "POST", "url": "https://e.com", "headers": {"X": "a\x0bb"}}}, "request.headers"),
        ({"request": {"method": "POST", "url": "https://e.com", "headers": {"X": "caf\u00e9"}}}, "request.headers"),
        ({"request": {"method": "POST", "url": "https://e.com", "headers": {"Bad Name": "v"}}}, "request.headers"),
        ({"request": {"method": "POST", "url": "https://e.com", "headers": False}}, "request.headers"),
        ({}, "request"),
    ]
    for body, field in cases:
        response = broker.post("/webhooks", body)
        assert response.status_code == 400, body
        assert field in response.json()["errors"], (body, response.json())
    assert broker.put("/webhooks/short", {"request": {"method": "POST", "url": "https://e.com"}}).status_code == 400


def test_a_malformed_party_in_the_body_of_a_scoped_webhook_is_refused(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api")
    hook = {"request": {"method": "POST", "url": "https://e.com"}, "consumer": {"uuid": [False]}}
    response = broker.post("/webhooks/provider/api/consumer/web", hook)
    assert response.status_code == 400, response.text
    assert response.json()["errors"] == {"consumer": ["must have a name or a label"]}
    del hook["consumer"]
    created = broker.post("/webhooks/provider/api/consumer/web", hook)
    assert created.status_code == 201
    assert created.json()["consumer"]["name"] == "web"


def test_deleting_a_webhook_that_is_retrying_leaves_the_worker_running(
    broker: BrokerClient, receiver: Receiver
) -> None:
    receiver.statuses = [500] * 10
    first = broker.post("/webhooks", _webhook(f"{receiver.url}/first", "contract_published")).json()["uuid"]
    broker.publish("web", "1", "api")
    receiver.wait_for(1)
    assert broker.delete(f"/webhooks/{first}").status_code == 200
    receiver.statuses = []
    broker.post("/webhooks", _webhook(f"{receiver.url}/second", "contract_published"))
    broker.publish("web", "2", "api")
    deadline = time.monotonic() + 10
    while not any(r.path == "/second" for r in receiver.requests) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert any(r.path == "/second" for r in receiver.requests)
