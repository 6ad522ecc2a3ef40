"""Republishing different content for an existing consumer version: 409 in the official shape
(`api/resources/publish_contracts.rb#set_conflict_response`, `spec/features/publish_pact_all_in_one_spec.rb`):
`notices` holds an error and a diff per changed pact, `errors.contracts` the errors' texts as one
array, and nothing of the request is written.
"""

from __future__ import annotations

from typing import Any

from tests.broker.support import BrokerClient, encoded, interaction, pact_document


def _refusal(consumer: str, version: str, provider: str) -> str:
    return (
        f"Cannot change the content of the pact for {consumer} version {version} and provider {provider}, "
        "as race conditions will cause unreliable results for can-i-deploy. Each pact must be published with a "
        "unique consumer version number. Some Pact libraries generate random data when a concrete value for a "
        "type matcher is not specified, and this can cause the contract to mutate - ensure you have given example "
        "values for all type matchers. For more information see https://docs.pact.io/go/versioning"
    )


def _contract(provider: str, description: str, on_conflict: str = "overwrite") -> dict[str, Any]:
    return {
        "consumerName": "web",
        "providerName": provider,
        "specification": "pact",
        "contentType": "application/json",
        "content": encoded(pact_document("web", provider, interaction(description))),
        "onConflict": on_conflict,
    }


def _publish(broker: BrokerClient, *contracts: dict[str, Any], tags: list[str] | None = None) -> Any:
    body: dict[str, Any] = {"pacticipantName": "web", "pacticipantVersionNumber": "1", "contracts": list(contracts)}
    if tags:
        body["tags"] = tags
    return broker.post("/contracts/publish", body)


def test_a_changed_pact_is_a_409_with_errors_contracts_as_an_array_and_notices(broker: BrokerClient) -> None:
    assert _publish(broker, _contract("api", "a")).status_code == 200
    response = _publish(broker, _contract("api", "b"))
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["errors"] == {"contracts": [_refusal("web", "1", "api")]}
    assert [notice["type"] for notice in body["notices"]] == ["error", "info"]
    assert body["notices"][0]["text"] == _refusal("web", "1", "api")
    assert "'b'" in body["notices"][1]["text"]


def test_every_changed_pact_is_reported_and_nothing_is_written(broker: BrokerClient) -> None:
    assert _publish(broker, _contract("api", "a"), _contract("billing", "a"), _contract("mail", "a")).status_code == 200
    response = _publish(
        broker, _contract("api", "b"), _contract("billing", "a"), _contract("mail", "b"), tags=["new-tag"]
    )
    assert response.status_code == 409
    body = response.json()
    assert body["errors"] == {"contracts": [_refusal("web", "1", "api"), _refusal("web", "1", "mail")]}
    assert [notice["type"] for notice in body["notices"]] == ["error", "info", "error", "info"]
    assert broker.get("/pacticipants/web/versions/1/tags/new-tag").status_code == 404
    assert [i["description"] for i in broker.pact("api", "web", "1")["interactions"]] == ["a"]


def test_merging_changed_content_is_refused_the_same_way(broker: BrokerClient) -> None:
    assert _publish(broker, _contract("api", "a")).status_code == 200
    response = _publish(broker, _contract("api", "b", on_conflict="merge"))
    assert response.status_code == 409
    assert response.json()["errors"] == {"contracts": [_refusal("web", "1", "api")]}


def test_identical_content_and_new_providers_are_no_conflict(broker: BrokerClient) -> None:
    assert _publish(broker, _contract("api", "a")).status_code == 200
    assert _publish(broker, _contract("api", "a"), _contract("billing", "z")).status_code == 200
