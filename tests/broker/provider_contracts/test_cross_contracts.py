"""Cross-contract results: when a provider contract or a pact is published, the broker compares
the pairs that matter, stores the results and serves them at the bi-directional resources,
linked from the pact and the version."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from broker.provider_contracts.cross_contracts import COMPARATOR_VERSION
from broker.provider_contracts.tables import cross_contract_results
from tests.broker.provider_contracts.shop import get_item, pact, shop
from tests.broker.support import BrokerClient, segment

COMPATIBLE = pact(get_item())["interactions"]
INCOMPATIBLE = pact(get_item(response_body={"id": 1, "name": "Lamp", "price": 3}))["interactions"]


def publish_contract(
    broker: BrokerClient, version: str, *, success: bool = True, branch: str = "main"
) -> dict[str, Any]:
    document = shop()
    document["info"]["version"] = version  # a document per provider version: one SHA each
    return broker.publish_contract("shop", version, document, success=success, branch=branch)


def pair(provider_version: str, consumer_version: str, tail: str = "cross-contract-verification-results") -> str:
    return (
        f"/contracts/bi-directional/provider/shop/version/{segment(provider_version)}"
        f"/consumer/web/version/{segment(consumer_version)}/{tail}"
    )


def test_a_published_contract_is_compared_with_the_latest_pact_of_each_branch(broker: BrokerClient) -> None:
    broker.publish("web", "1", "shop", branch="main", interactions=COMPATIBLE)
    broker.publish("web", "2", "shop", branch="feat/price", interactions=INCOMPATIBLE)
    published = publish_contract(broker, "10")
    assert "Compared with 2 consumer pact(s): 1 compatible, 1 incompatible" in [
        notice["text"] for notice in published["notices"]
    ]
    good = broker.get(pair("10", "1")).json()
    bad = broker.get(pair("10", "2")).json()
    assert (good["success"], good["verificationStatus"], good["results"]) == (True, "success", [])
    assert bad["success"] is False
    assert [result["code"] for result in bad["results"]] == ["response.body.incompatible"]
    assert bad["results"][0]["mockDetails"]["interactionDescription"] == "a request for item 1"
    every = broker.get("/contracts/bi-directional/provider/shop/version/10/cross-contract-verification-results")
    assert sorted(item["success"] for item in every.json()["_embedded"]["crossContractVerificationResults"]) == [
        False,
        True,
    ]


def test_a_published_pact_is_compared_with_the_contracts_that_matter(broker: BrokerClient) -> None:
    publish_contract(broker, "10", branch="main")
    publish_contract(broker, "11", branch="main")  # newer on main: version 10 no longer matters
    publish_contract(broker, "20", branch="feat/new-field")
    broker.publish("web", "1", "shop", branch="main", interactions=INCOMPATIBLE)
    links = broker.pact("shop", "web", "1")["_links"]["pf:cross-contract-verification-results"]
    assert sorted(link["name"] for link in links) == ["11", "20"]
    assert all(link["title"].endswith(": incompatible") for link in links)
    assert links[0]["href"].endswith(pair(links[0]["name"], "1"))


def test_a_deployed_consumer_version_still_matters(broker: BrokerClient) -> None:
    broker.publish("web", "1", "shop", branch="main", interactions=INCOMPATIBLE)
    broker.record_deployment("web", "1", "production")
    broker.publish("web", "2", "shop", branch="main", interactions=COMPATIBLE)
    published = publish_contract(broker, "10")
    assert "Compared with 2 consumer pact(s): 1 compatible, 1 incompatible" in [
        notice["text"] for notice in published["notices"]
    ]


def test_a_pair_nobody_compared_is_compared_when_asked(broker: BrokerClient) -> None:
    broker.publish("web", "1", "shop", branch="main", interactions=INCOMPATIBLE)
    broker.publish("web", "2", "shop", branch="main", interactions=COMPATIBLE)  # 1 is no longer a head
    publish_contract(broker, "10")
    assert "pf:cross-contract-verification-results" not in broker.pact("shop", "web", "1")["_links"]
    asked = broker.get(pair("10", "1")).json()
    assert asked["success"] is False
    assert broker.pact("shop", "web", "1")["_links"]["pf:cross-contract-verification-results"][0]["name"] == "10"


def test_a_failed_self_verification_vouches_for_no_pact(broker: BrokerClient) -> None:
    broker.publish("web", "1", "shop", branch="main", interactions=COMPATIBLE)
    published = publish_contract(broker, "10", success=False)
    assert any(notice["type"] == "warning" for notice in published["notices"])
    result = broker.get(pair("10", "1")).json()
    assert (result["compatible"], result["selfVerified"], result["success"]) == (True, False, False)


def test_the_consumer_side_resources(broker: BrokerClient) -> None:
    broker.publish("web", "1", "shop", branch="main", interactions=COMPATIBLE)
    publish_contract(broker, "10")
    consumer = broker.get(pair("10", "1", "consumer-contract")).json()
    assert json.loads(consumer["content"])["interactions"][0]["description"] == "a request for item 1"
    assert consumer["specification"] == "pact"
    assert broker.get(pair("10", "1", "consumer-contract-verification-results")).json()["success"] is True
    assert broker.get(pair("10", "1", "provider-contract")).json()["specification"] == "oas"
    self_verified = broker.get(pair("10", "1", "provider-contract-verification-results")).json()
    assert self_verified["verifier"] == "schemathesis"
    broker.put("/pacticipants/web/versions/9", {})
    missing = broker.get(pair("10", "9"))
    assert missing.status_code == 404
    assert "web version 9 has no pact with shop" in missing.text


def test_a_provider_without_contracts_costs_a_publish_nothing_visible(broker: BrokerClient) -> None:
    broker.publish("web", "1", "shop", branch="main", interactions=INCOMPATIBLE)
    assert "pf:cross-contract-verification-results" not in broker.pact("shop", "web", "1")["_links"]


def test_a_contract_answers_with_the_newest_pacts_that_matter_only(broker: BrokerClient) -> None:
    """A provider with more branch heads than a contract is compared with (25) shows the newest."""
    broker.publish("web", "0", "shop", branch="main", interactions=COMPATIBLE)
    broker.record_deployment("web", "0", "production")  # deployed, but older than every head below
    for number in range(1, 27):
        broker.publish("web", str(number), "shop", branch=f"feat/{number}", interactions=COMPATIBLE)
    publish_contract(broker, "10")
    every = broker.get("/contracts/bi-directional/provider/shop/version/10/cross-contract-verification-results")
    shown = [
        item["_embedded"]["consumerVersion"]["number"]
        for item in every.json()["_embedded"]["crossContractVerificationResults"]
    ]
    assert shown == [str(number) for number in range(26, 1, -1)]


def test_a_result_of_an_older_comparator_is_replaced_when_the_pact_is_published_again(broker: BrokerClient) -> None:
    publish_contract(broker, "10")
    broker.publish("web", "1", "shop", branch="main", interactions=INCOMPATIBLE)
    with broker.application.database.engine.begin() as connection:  # as an older comparator left it
        connection.execute(
            cross_contract_results.update().values(comparator_version="0", success=True, results=[], problem=None)
        )
    broker.publish("web", "2", "shop", branch="main", interactions=INCOMPATIBLE)  # the same content again
    with broker.application.database.engine.connect() as connection:
        stored = connection.execute(sa.select(cross_contract_results)).all()
    assert [(row.comparator_version, row.success) for row in stored] == [(COMPARATOR_VERSION, False)]
    assert broker.get(pair("10", "1")).json()["success"] is False


def test_comparing_a_new_pact_reads_back_neither_the_pact_nor_a_compiled_document(broker: BrokerClient) -> None:
    """The publish has the pact in hand, and the query for the documents that matter names each
    one's SHA and whether the pair was compared: a new pair costs its comparison and one write."""
    publish_contract(broker, "10")
    broker.publish("web", "1", "shop", branch="main", interactions=COMPATIBLE)  # compiles the document
    sent: list[str] = []

    def record(_connection: object, _cursor: object, statement: str, *_rest: object) -> None:
        sent.append(" ".join(statement.split()))

    engine = broker.application.database.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        broker.publish("web", "2", "shop", branch="main", interactions=INCOMPATIBLE)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    touching = [
        text
        for text in sent
        if text.startswith(("SELECT provider_contract", "SELECT cross_contract", "INSERT INTO cross_contract"))
        or text.startswith(("DELETE FROM cross_contract", "UPDATE cross_contract"))
    ]
    assert len(touching) == 2, touching  # the documents that matter, then the result
    assert touching[1].startswith("INSERT INTO cross_contract_results")
    assert not [text for text in sent if text.startswith("SELECT pact_contents.content")]
    assert broker.pact("shop", "web", "2")["_links"]["pf:cross-contract-verification-results"][0]["title"].endswith(
        ": incompatible"
    )
