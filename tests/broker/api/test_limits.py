"""Every list a request carries is bounded: past its limit the request is a 400 naming the field
and the limit, before anything is written; at the limit it is served as usual."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from broker.limits import (
    MAX_CONTRACTS,
    MAX_INTERACTIONS,
    MAX_SELECTORS,
    MAX_TAGS,
    MAX_WEBHOOK_EVENTS,
    MAX_WEBHOOK_HEADERS,
)
from tests.broker.support import BrokerClient, encoded, interaction, pact_document


def _assert_refused(response, field: str, limit: int) -> None:
    assert response.status_code == 400, response.text[:300]
    errors = response.json()["errors"]
    messages = errors[field] if isinstance(errors, dict) else errors
    assert any(f"at most {limit}" in message for message in messages), errors


def _publish(consumer: str, version: str, *, tags: list[str] = (), providers: int = 1, interactions: int = 1):
    return {
        "pacticipantName": consumer,
        "pacticipantVersionNumber": version,
        "tags": list(tags),
        "contracts": [
            {
                "consumerName": consumer,
                "providerName": f"api-{index}",
                "specification": "pact",
                "contentType": "application/json",
                "content": encoded(
                    pact_document(consumer, f"api-{index}", *(interaction(f"call {n}") for n in range(interactions)))
                ),
            }
            for index in range(providers)
        ],
    }


def test_a_publish_with_too_many_tags_is_refused_and_writes_nothing(broker: BrokerClient) -> None:
    refused = broker.post("/contracts/publish", _publish("web", "1", tags=[f"t{i}" for i in range(MAX_TAGS + 1)]))
    _assert_refused(refused, "tags", MAX_TAGS)
    assert broker.get("/pacticipants/web/versions/1").status_code == 404
    accepted = broker.post("/contracts/publish", _publish("web", "1", tags=[f"t{i}" for i in range(MAX_TAGS)]))
    assert accepted.status_code == 200, accepted.text
    tags = broker.get("/pacticipants/web/versions/1").json()["_embedded"]["tags"]
    assert len(tags) == MAX_TAGS


def test_a_publish_with_too_many_contracts_is_refused(broker: BrokerClient) -> None:
    _assert_refused(
        broker.post("/contracts/publish", _publish("web", "1", providers=MAX_CONTRACTS + 1)), "contracts", MAX_CONTRACTS
    )
    accepted = broker.post("/contracts/publish", _publish("web", "1", providers=MAX_CONTRACTS, tags=["a"] * 3))
    assert accepted.status_code == 200, accepted.text
    assert len(accepted.json()["_links"]["pb:contracts"]) == MAX_CONTRACTS


def test_a_pact_with_too_many_interactions_is_refused_in_both_publishing_apis(broker: BrokerClient) -> None:
    response = broker.post("/contracts/publish", _publish("web", "1", interactions=MAX_INTERACTIONS + 1))
    assert response.status_code == 400
    assert f"at most {MAX_INTERACTIONS} interactions" in json.dumps(response.json())
    document = pact_document("web", "api", *(interaction(f"call {n}") for n in range(MAX_INTERACTIONS + 1)))
    legacy = broker.put("/pacts/provider/api/consumer/web/version/1", document)
    assert legacy.status_code == 400
    assert f"at most {MAX_INTERACTIONS} interactions" in json.dumps(legacy.json())
    assert broker.get("/pacticipants/web/versions/1").status_code == 404


def test_pacts_for_verification_with_too_many_selectors_or_tags_is_refused(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api", branch="main")
    selectors = [{"branch": f"b{i}"} for i in range(MAX_SELECTORS)] + [{"mainBranch": True}]
    path = "/pacts/provider/api/for-verification"
    _assert_refused(
        broker.post(path, {"consumerVersionSelectors": selectors}), "consumerVersionSelectors", MAX_SELECTORS
    )
    at_limit = broker.post(path, {"consumerVersionSelectors": selectors[1:]})
    assert at_limit.status_code == 200, at_limit.text
    assert len(at_limit.json()["_embedded"]["pacts"]) == 1
    tags = {"providerVersionTags": [f"t{i}" for i in range(MAX_TAGS + 1)], "consumerVersionSelectors": selectors[1:]}
    _assert_refused(broker.post(path, tags), "providerVersionTags", MAX_TAGS)
    query = "&".join(f"consumer_version_selectors[][branch]=b{i}" for i in range(MAX_SELECTORS + 1))
    _assert_refused(broker.get(f"{path}?{query}"), "consumerVersionSelectors", MAX_SELECTORS)


def test_a_webhook_with_too_many_headers_or_events_is_refused(broker: BrokerClient) -> None:
    request = {"method": "POST", "url": "http://127.0.0.1:1/hook"}
    headers = {f"X-Header-{i}": "v" for i in range(MAX_WEBHOOK_HEADERS + 1)}
    _assert_refused(
        broker.post("/webhooks", {"request": {**request, "headers": headers}}), "request.headers", MAX_WEBHOOK_HEADERS
    )
    events = [{"name": "contract_published"}] * (MAX_WEBHOOK_EVENTS + 1)
    _assert_refused(broker.post("/webhooks", {"request": request, "events": events}), "events", MAX_WEBHOOK_EVENTS)
    fine = broker.post(
        "/webhooks", {"request": {**request, "headers": dict(list(headers.items())[:MAX_WEBHOOK_HEADERS])}}
    )
    assert fine.status_code == 201, fine.text
    assert broker.get("/webhooks").json()["_links"]["pb:webhooks"][0]


def test_the_matrix_with_too_many_selectors_is_refused(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api")
    many = "&".join(f"q[][pacticipant]=p{i}&q[][version]=1" for i in range(MAX_SELECTORS + 1))
    _assert_refused(broker.get(f"/matrix?{many}"), "q", MAX_SELECTORS)
    ignores = "&".join(f"ignore[][pacticipant]=p{i}" for i in range(MAX_SELECTORS + 1))
    _assert_refused(broker.get(f"/matrix?q[][pacticipant]=web&q[][version]=1&{ignores}"), "ignore", MAX_SELECTORS)
    assert broker.get("/matrix?q[][pacticipant]=web&q[][version]=1").status_code == 200


def test_a_version_given_too_many_tags_is_refused(broker: BrokerClient) -> None:
    tags = [{"name": f"t{i}"} for i in range(MAX_TAGS + 1)]
    _assert_refused(broker.put("/pacticipants/web/versions/1", {"tags": tags}), "tags", MAX_TAGS)
    accepted = broker.put("/pacticipants/web/versions/1", {"tags": tags[:MAX_TAGS]})
    assert accepted.status_code in (200, 201), accepted.text


def test_a_provider_contract_with_too_many_tags_is_refused(broker: BrokerClient) -> None:
    document = {"openapi": "3.0.3", "info": {"title": "api", "version": "1"}, "paths": {}}
    body: dict[str, Any] = {
        "pacticipantVersionNumber": "1",
        "tags": [f"t{i}" for i in range(MAX_TAGS + 1)],
        "contract": {
            "content": base64.b64encode(json.dumps(document).encode()).decode(),
            "contentType": "application/json",
        },
    }
    _assert_refused(broker.post("/provider-contracts/provider/api/publish", body), "tags", MAX_TAGS)
    assert broker.get("/pacticipants/api/versions/1").status_code == 404


@pytest.mark.parametrize("tag_count", [1, MAX_TAGS])
def test_tags_put_on_a_version_that_has_pacts_move_the_tag_heads(broker: BrokerClient, tag_count: int) -> None:
    """The batched tagging still moves every tag's head: the latest pact for each tag is this one."""
    broker.publish("web", "1", "api")
    tags = [{"name": f"t{i}"} for i in range(tag_count)]
    assert broker.put("/pacticipants/web/versions/1", {"tags": tags}).status_code in (200, 201)
    for index in (0, tag_count - 1):
        latest = broker.get(f"/pacts/provider/api/consumer/web/latest/t{index}")
        assert latest.status_code == 200, latest.text
        assert latest.json()["_links"]["pb:consumer-version"]["name"] == "1"
