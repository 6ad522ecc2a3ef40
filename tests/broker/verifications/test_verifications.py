"""Verification results: attached to content, validated, readable."""

from __future__ import annotations

from tests.broker.support import BrokerClient


def test_a_result_is_created_with_a_location_and_read_back(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api")
    href = broker.pact("api", "web", "1")["_links"]["pb:publish-verification-results"]["href"]
    body = {
        "success": False,
        "providerApplicationVersion": "2.0.0+abc",
        "buildUrl": "https://ci/9",
        "testResults": [{"interactionId": "x", "success": False}],
        "verifiedBy": {"implementation": "Pact-Rust", "version": "1.4.7"},
    }
    response = broker.http.post(href, json=body)
    assert response.status_code == 201
    created = response.json()
    assert response.headers["location"] == created["_links"]["self"]["href"]
    again = broker.http.get(response.headers["location"]).json()
    assert again["providerApplicationVersion"] == "2.0.0+abc"
    assert again["testResults"] == body["testResults"]
    assert again["verifiedBy"]["implementation"] == "Pact-Rust"
    latest = broker.http.get(href + "/latest").json()
    assert latest["success"] is False
    assert broker.get("/pacticipants/api/versions/2.0.0%2Babc").status_code == 200, "provider version created"


def test_one_verification_counts_for_every_version_with_the_same_content(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api")
    broker.publish("web", "2", "api")
    broker.verify("api", "web", "1", "100")
    verdict = broker.can_i_deploy("web", "2", extra="")
    assert verdict["summary"]["deployable"] is True
    assert verdict["matrix"][0]["provider"]["version"]["number"] == "100"


def test_invalid_results_are_refused(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api")
    href = broker.pact("api", "web", "1")["_links"]["pb:publish-verification-results"]["href"]
    response = broker.http.post(href, json={"success": "yes", "providerApplicationVersion": ""})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"success", "providerApplicationVersion"}
    missing = broker.post(
        "/pacts/provider/api/consumer/web/pact-version/0000/verification-results",
        {"success": True, "providerApplicationVersion": "1"},
    )
    assert missing.status_code == 404
