"""The coverage map keeps each contract's parsed document and each pact's analysis between
requests, by the contents' SHAs: a changed pact or a changed contract changes the answer at once,
the same data gives the same answer warm or cold, and going back to an earlier contract gives its
earlier answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from broker.pacticipants import repository as pacticipants_repository
from broker.provider_contracts import coverage_memo, repository
from tests.broker.conftest import StartBroker, empty_database
from tests.broker.provider_contracts.shop import get_item, pact, shop
from tests.broker.support import BrokerClient

COMPATIBLE = pact(get_item())["interactions"]
INCOMPATIBLE = pact(get_item(response_body={"id": 1, "name": "Lamp", "price": 3}))["interactions"]
GET_ITEM = "GET /items/{itemId}"


def publish_contract(broker: BrokerClient, version: str, document: dict[str, Any]) -> None:
    broker.publish_contract("shop", version, document)


def coverage(broker: BrokerClient) -> dict[str, Any]:
    response = broker.get("/coverage")
    assert response.status_code == 200, response.text
    return response.json()


def uses_of(answer: dict[str, Any], operation: str, status: str = "200") -> list[tuple[str, str, str]]:
    (provider,) = answer["providers"]
    (found,) = [item for item in provider["operations"] if item["operation"] == operation]
    (documented,) = [item for item in found["statuses"] if item["status"] == status]
    return [(use["consumer"], use["version"], use["verified"]) for use in documented["interactions"]]


def test_a_changed_pact_changes_the_answer(broker: BrokerClient) -> None:
    publish_contract(broker, "10", shop())
    broker.publish("web", "1", "shop", branch="main", interactions=COMPATIBLE)
    assert uses_of(coverage(broker), GET_ITEM) == [("web", "1", "compatible by comparison")]
    broker.publish("web", "2", "shop", branch="main", interactions=INCOMPATIBLE)  # main's newest pact, new content
    assert uses_of(coverage(broker), GET_ITEM) == [("web", "2", "incompatible by comparison")]
    broker.publish("web", "3", "shop", branch="main", interactions=COMPATIBLE)  # the first content again
    assert uses_of(coverage(broker), GET_ITEM) == [("web", "3", "compatible by comparison")]


def test_a_changed_contract_changes_the_answer_and_going_back_restores_it(broker: BrokerClient) -> None:
    broker.publish("web", "1", "shop", branch="main", interactions=COMPATIBLE)
    publish_contract(broker, "10", shop())
    first = coverage(broker)
    assert uses_of(first, GET_ITEM) == [("web", "1", "compatible by comparison")]

    without_get = shop()
    del without_get["paths"]["/items/{itemId}"]["get"]  # the same pact, a contract that no longer has it
    publish_contract(broker, "11", without_get)
    changed = coverage(broker)
    assert GET_ITEM not in [item["operation"] for item in changed["providers"][0]["operations"]]
    assert [(use["request"], use["status"]) for use in changed["providers"][0]["outsideTheDocument"]] == [
        ("GET /items/1", 200)
    ]

    publish_contract(broker, "12", shop())  # the first document again, on a newer version
    back = coverage(broker)
    assert back["providers"][0]["contract"]["version"] == "12"
    assert back["providers"][0]["contract"]["sha"] == first["providers"][0]["contract"]["sha"]
    assert back["providers"][0]["operations"] == first["providers"][0]["operations"]


def test_a_new_verification_changes_a_kept_answer(broker: BrokerClient) -> None:
    publish_contract(broker, "10", shop())
    broker.publish("web", "1", "shop", branch="main", interactions=COMPATIBLE)
    assert uses_of(coverage(broker), GET_ITEM) == [("web", "1", "compatible by comparison")]
    broker.verify("shop", "web", "1", "11")
    assert uses_of(coverage(broker), GET_ITEM) == [("web", "1", "verified by shop 11")]
    assert "shop 11" in broker.get("/coverage", headers={"Accept": "text/html"}).text
    broker.verify("shop", "web", "1", "12", success=False)  # the newest verification is the one shown
    assert uses_of(coverage(broker), GET_ITEM) == [("web", "1", "compatible by comparison")]
    page = broker.get("/coverage", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "shop 11" not in page.text


def test_a_change_made_by_another_broker_or_straight_in_the_database_shows_on_the_next_request(
    start_broker: StartBroker, new_database: Callable[[], str]
) -> None:
    """Brokers sharing a database keep their maps by what the database holds, read on every
    request, so nothing has to tell them of a change: not the broker that made it, nor any broker
    when the change was written straight into the tables."""
    url = new_database()
    with start_broker(database_url=url) as first, start_broker(database_url=url) as second:
        publish_contract(first, "10", shop())
        first.publish("web", "1", "shop", branch="main", interactions=COMPATIBLE)
        assert uses_of(coverage(first), GET_ITEM) == [("web", "1", "compatible by comparison")]
        second.verify("shop", "web", "1", "11")
        assert uses_of(coverage(first), GET_ITEM) == [("web", "1", "verified by shop 11")]
        second.verify("shop", "web", "1", "12", success=False)
        assert uses_of(coverage(first), GET_ITEM) == [("web", "1", "compatible by comparison")]

        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        try:
            with engine.begin() as connection:  # the failed verification, deleted behind every broker's back
                connection.execute(sa.text("DELETE FROM verifications WHERE id = (SELECT max(id) FROM verifications)"))
        finally:
            engine.dispose()
        assert uses_of(coverage(first), GET_ITEM) == [("web", "1", "verified by shop 11")]
        assert "shop 11" in first.get("/coverage", headers={"Accept": "text/html"}).text

        second.publish("web", "2", "shop", branch="main", interactions=INCOMPATIBLE)
        assert uses_of(coverage(first), GET_ITEM) == [("web", "2", "incompatible by comparison")]
        second.record_deployment("web", "1", "production")  # web 1 matters again, deployed
        assert sorted(uses_of(coverage(first), GET_ITEM)) == [
            ("web", "1", "verified by shop 11"),
            ("web", "2", "incompatible by comparison"),
        ]


def test_a_database_emptied_and_filled_again_under_a_running_broker_gives_the_new_answer(
    broker: BrokerClient,
) -> None:
    """Emptied with its sequences restarted, the database hands the same ids to other rows: the
    same contract, consumer, version and pact version ids, now with an incompatible pact."""
    publish_contract(broker, "10", shop())
    broker.publish("web", "1", "shop", branch="main", interactions=COMPATIBLE)
    assert uses_of(coverage(broker), GET_ITEM) == [("web", "1", "compatible by comparison")]
    empty_database(broker.application)
    publish_contract(broker, "10", shop())
    broker.publish("web", "1", "shop", branch="main", interactions=INCOMPATIBLE)
    assert uses_of(coverage(broker), GET_ITEM) == [("web", "1", "incompatible by comparison")]
    assert "Incompatible by comparison" in broker.get("/coverage", headers={"Accept": "text/html"}).text


def test_the_probe_of_ids_and_the_rows_it_stands_for_have_one_digest(broker: BrokerClient) -> None:
    """On PostgreSQL a warm request reads the digest of ids alone and reuses the map kept by the
    digest of the rows: were the two computed differently, every request would build the map anew."""
    publish_contract(broker, "10", shop())
    broker.publish("web", "1", "shop", branch="main", interactions=COMPATIBLE)
    broker.publish("web", "2", "shop", branch="feat/price", interactions=INCOMPATIBLE)  # never verified
    broker.publish("app", "7", "shop", branch="main", interactions=COMPATIBLE)
    broker.verify("shop", "web", "1", "11")
    with broker.application.database.engine.connect() as connection:
        shop_id = pacticipants_repository.find_by_name(connection, "shop").id  # type: ignore[union-attr]
        probe = repository.pact_uses_digest(connection, shop_id)
        rows = repository.pact_uses_that_matter(connection, shop_id)
    assert len(rows) == 3
    if broker.application.database.engine.dialect.name == "postgresql":
        assert probe == repository.uses_digest(rows)
    else:
        assert probe is None  # SQLite reuses ids: its key is the rows themselves


def test_two_requests_and_a_cold_start_give_identical_answers(broker: BrokerClient) -> None:
    publish_contract(broker, "10", shop())
    broker.publish("web", "1", "shop", branch="main", interactions=COMPATIBLE)
    broker.publish("web", "2", "shop", branch="feat/price", interactions=INCOMPATIBLE)
    broker.publish("app", "7", "shop", branch="main", interactions=COMPATIBLE)
    coverage_memo.forget_all()
    cold = coverage(broker)
    warm = [coverage(broker) for _ in range(2)]
    assert cold == warm[0] == warm[1]
    assert sorted(uses_of(cold, GET_ITEM)) == [
        ("app", "7", "compatible by comparison"),
        ("web", "1", "compatible by comparison"),
        ("web", "2", "incompatible by comparison"),
    ]
    page = broker.get("/coverage", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert page.text == broker.get("/coverage", headers={"Accept": "text/html"}).text


def test_the_kept_analyses_stay_within_their_weight_forgetting_the_least_recently_used() -> None:
    kept: coverage_memo.Bounded[str, str] = coverage_memo.Bounded(10, weigh=len)
    kept.put("a", "xxxx")
    kept.put("b", "xxxx")
    assert kept.get("a") == "xxxx"  # now the most recently used
    kept.put("c", "xxxx")  # 12 > 10: "b" goes
    assert (kept.get("a"), kept.get("b"), kept.get("c")) == ("xxxx", None, "xxxx")
    kept.put("d", "x" * 30)  # heavier than the bound alone: kept, everything else goes
    assert (len(kept), kept.get("d")) == (1, "x" * 30)
