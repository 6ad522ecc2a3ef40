"""The gate counts provider contracts: a pact is verified by a provider version that verified it,
or whose self-verified contract it is compatible with; a verification by that version wins over
its contract; a failing row names the comparator's codes and the interactions."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest

from broker.matrix import contract_rows
from tests.broker.provider_contracts.shop import get_item, pact, put_item, shop
from tests.broker.support import BrokerClient, run_pact, segment

COMPATIBLE = pact(get_item())["interactions"]
EXPECTS_A_PRICE = pact(get_item(response_body={"id": 1, "name": "Lamp", "price": 3}))["interactions"]
TWO_PROBLEMS = pact(
    get_item(response_body={"id": 1, "name": "Lamp", "price": 3}),
    put_item(request_headers={"x-api-key": "key", "Content-Type": "text/csv"}),
)["interactions"]
PRICE_REASON = "response.body.incompatible in 'a request for item 1' given 'item 1 exists'"


def publish_contract(
    broker: BrokerClient, version: str, *, success: bool = True, branch: str = "main", document: Any = None
) -> dict[str, Any]:
    document = document or shop()
    document["info"]["version"] = version  # one document (one SHA) per provider version
    body = {
        "pacticipantVersionNumber": version,
        "branch": branch,
        "contract": {
            "content": base64.b64encode(json.dumps(document).encode()).decode(),
            "contentType": "application/json",
            "specification": "oas",
            "selfVerificationResults": {"success": success, "verifier": "schemathesis"},
        },
    }
    response = broker.post("/provider-contracts/provider/shop/publish", body)
    assert response.status_code == 200, response.text
    return response.json()


def both(consumer_version: str, provider_version: str, extra: str = "&latestby=cvpv") -> str:
    return (
        f"q[][pacticipant]=web&q[][version]={segment(consumer_version)}"
        f"&q[][pacticipant]=shop&q[][version]={segment(provider_version)}{extra}"
    )


def verdict(answer: dict[str, Any]) -> tuple[bool | None, int, int, int]:
    summary = answer["summary"]
    return summary["deployable"], summary["success"], summary["failed"], summary["unknown"]


def errors(answer: dict[str, Any]) -> list[str]:
    return [notice["text"] for notice in answer["notices"] if notice["type"] == "error"]


def test_a_compatible_pact_is_verified_by_the_self_verified_contract_without_any_verification(
    broker: BrokerClient,
) -> None:
    publish_contract(broker, "10")
    broker.publish("web", "1", "shop", branch="main", interactions=COMPATIBLE)

    answer = broker.matrix(both("1", "10"))

    assert verdict(answer) == (True, 1, 0, 0)
    assert answer["summary"]["reason"] == "All required verification results are published and successful"
    (row,) = answer["matrix"]
    result = row["verificationResult"]
    assert (row["provider"]["version"]["number"], result["success"], result["compatible"]) == ("10", True, True)
    assert result["selfVerified"] is True
    assert result["verifiedBy"]["implementation"] == "solo60-openapi-pact-comparator"
    assert result["_links"]["self"]["href"].endswith(
        "/contracts/bi-directional/provider/shop/version/10/consumer/web/version/1/cross-contract-verification-results"
    )
    assert result["_links"]["pf:provider-contract"]["href"].endswith(
        "/contracts/bi-directional/provider/shop/version/10/provider-contract"
    )
    followed = broker.get(result["_links"]["self"]["href"]).json()
    assert (followed["success"], followed["results"]) == (True, [])


def test_an_incompatible_pact_fails_naming_the_code_and_the_interaction(broker: BrokerClient) -> None:
    publish_contract(broker, "10")
    broker.publish("web", "1", "shop", branch="main", interactions=EXPECTS_A_PRICE)

    answer = broker.matrix(both("1", "10"))

    assert verdict(answer) == (False, 0, 1, 0)
    assert errors(answer) == [
        "The cross contract comparison between the pact for version 1 of web and the oas for version 10 of shop "
        f"failed: {PRICE_REASON}"
    ]
    (row,) = answer["matrix"]
    assert (row["verificationResult"]["success"], row["verificationResult"]["compatible"]) == (False, False)


def test_every_code_and_interaction_is_named(broker: BrokerClient) -> None:
    publish_contract(broker, "10")
    broker.publish("web", "1", "shop", branch="main", interactions=TWO_PROBLEMS)

    (reason,) = errors(broker.matrix(both("1", "10")))

    assert reason.endswith(
        f"failed: {PRICE_REASON}; request.content-type.incompatible in 'an update of item 1' given 'item 1 exists'"
    )


def test_a_contract_whose_self_verification_failed_vouches_for_nothing(broker: BrokerClient) -> None:
    publish_contract(broker, "10", success=False)
    broker.publish("web", "1", "shop", branch="main", interactions=COMPATIBLE)

    answer = broker.matrix(both("1", "10"))

    assert verdict(answer) == (False, 0, 1, 0)
    assert errors(answer)[0].endswith("failed: the provider's self-verification of its contract did not succeed")
    assert answer["matrix"][0]["verificationResult"]["selfVerified"] is False


def test_a_failed_verification_wins_over_a_compatible_contract(broker: BrokerClient) -> None:
    publish_contract(broker, "10")
    broker.publish("web", "1", "shop", branch="main", interactions=COMPATIBLE)
    broker.verify("shop", "web", "1", "10", success=False)

    answer = broker.matrix(both("1", "10"))

    assert verdict(answer) == (False, 0, 1, 0)
    assert errors(answer) == ["The verification for the pact between version 1 of web and version 10 of shop failed"]
    (row,) = answer["matrix"]
    assert "/verification-results/" in row["verificationResult"]["_links"]["self"]["href"]


def test_a_successful_verification_wins_over_an_incompatible_contract(broker: BrokerClient) -> None:
    publish_contract(broker, "10")
    broker.publish("web", "1", "shop", branch="main", interactions=EXPECTS_A_PRICE)
    broker.verify("shop", "web", "1", "10")

    answer = broker.matrix(both("1", "10", ""))  # every row: the contract's is not one

    assert verdict(answer) == (True, 1, 0, 0)
    assert [row["verificationResult"].get("compatible") for row in answer["matrix"]] == [None]


def test_a_contract_of_another_provider_version_does_not_vouch_for_this_one(broker: BrokerClient) -> None:
    publish_contract(broker, "10")
    broker.publish("web", "1", "shop", branch="main", interactions=COMPATIBLE)
    broker.put("/pacticipants/shop/versions/11")

    answer = broker.matrix(both("1", "11"))

    assert verdict(answer) == (None, 0, 0, 1)
    assert errors(answer) == ["There is no verified pact between version 1 of web and version 11 of shop"]


def test_can_i_deploy_a_consumer_to_where_the_providers_contract_is_deployed(broker: BrokerClient) -> None:
    publish_contract(broker, "10")
    broker.record_deployment("shop", "10", "production")
    broker.publish("web", "1", "shop", branch="main", interactions=COMPATIBLE)
    broker.publish("web", "2", "shop", branch="main", interactions=EXPECTS_A_PRICE)

    yes = broker.can_i_deploy("web", "1", environment="production")
    no = broker.can_i_deploy("web", "2", environment="production")

    assert verdict(yes) == (True, 1, 0, 0)
    assert verdict(no) == (False, 0, 1, 0)
    assert errors(no) == [
        "The cross contract comparison between the pact for version 2 of web and the oas for the version of shop "
        f"currently in production (10) failed: {PRICE_REASON}"
    ]


def test_can_i_deploy_a_provider_whose_contract_breaks_a_deployed_consumer(broker: BrokerClient) -> None:
    broker.publish("web", "1", "shop", branch="main", interactions=EXPECTS_A_PRICE)
    broker.record_deployment("web", "1", "production")
    broker.publish("app", "7", "shop", branch="main", interactions=COMPATIBLE)
    broker.record_deployment("app", "7", "production")
    publish_contract(broker, "10")

    answer = broker.can_i_deploy("shop", "10", environment="production")

    assert verdict(answer) == (False, 1, 1, 0)
    assert errors(answer) == [
        "The cross contract comparison between the pact for the version of web currently in production (1) and "
        f"the oas for version 10 of shop failed: {PRICE_REASON}"
    ]


def test_a_pair_never_compared_is_compared_when_asked_about(broker: BrokerClient) -> None:
    publish_contract(broker, "10")
    publish_contract(broker, "11")  # newer on main: version 10 no longer matters to new pacts
    broker.publish("web", "1", "shop", branch="main", interactions=EXPECTS_A_PRICE)
    links = broker.pact("shop", "web", "1")["_links"]["pf:cross-contract-verification-results"]
    assert [link["name"] for link in links] == ["11"]  # not compared with 10 when published

    answer = broker.matrix(both("1", "10"))

    assert verdict(answer) == (False, 0, 1, 0)
    assert PRICE_REASON in errors(answer)[0]


def test_asking_about_any_provider_version_counts_the_comparisons_made(broker: BrokerClient) -> None:
    publish_contract(broker, "10")
    publish_contract(broker, "11")
    broker.publish("web", "1", "shop", branch="main", interactions=COMPATIBLE)  # compared with 11 only

    latest = broker.matrix("q[][pacticipant]=web&q[][version]=1&latestby=cvp")
    every = broker.matrix("q[][pacticipant]=web&q[][version]=1")

    assert [row["provider"]["version"]["number"] for row in latest["matrix"]] == ["11"]
    assert verdict(latest)[0] is True
    assert [row["provider"]["version"]["number"] for row in every["matrix"]] == ["11"]


def test_a_provider_version_selected_alone_shows_the_pacts_its_contract_vouches_for(broker: BrokerClient) -> None:
    broker.publish("web", "1", "shop", branch="main", interactions=COMPATIBLE)
    broker.publish("web", "2", "shop", branch="feat/price", interactions=EXPECTS_A_PRICE)
    broker.publish("web", "3", "shop", branch="main", interactions=COMPATIBLE)  # same content as 1
    publish_contract(broker, "10")

    answer = broker.matrix("q[][pacticipant]=shop&q[][version]=10")

    rows = {(row["consumer"]["version"]["number"], row["verificationResult"]["success"]) for row in answer["matrix"]}
    assert rows == {("1", True), ("2", False), ("3", True)}


def test_verifications_and_contracts_of_different_provider_versions_are_rows_side_by_side(
    broker: BrokerClient,
) -> None:
    broker.publish("web", "1", "shop", branch="main", interactions=COMPATIBLE)
    broker.verify("shop", "web", "1", "9")
    publish_contract(broker, "10")

    answer = broker.matrix("q[][pacticipant]=web&q[][pacticipant]=shop")

    rows = [
        (row["provider"]["version"]["number"], "compatible" in row["verificationResult"]) for row in answer["matrix"]
    ]
    assert rows == [("10", True), ("9", False)]
    failed_only = broker.matrix("q[][pacticipant]=web&q[][pacticipant]=shop&success[]=false")
    assert failed_only["matrix"] == []


def test_can_i_merge_counts_the_contract_on_the_main_branch(broker: BrokerClient) -> None:
    broker.put("/pacticipants/shop", {"mainBranch": "main"})
    broker.put("/pacticipants/web", {"mainBranch": "main"})
    publish_contract(broker, "10", branch="main")
    broker.publish("web", "1", "shop", branch="main", interactions=COMPATIBLE)

    answer = broker.matrix("q[][pacticipant]=web&q[][version]=1&latestby=cvp&mainBranch=true&latest=true")
    badge = broker.get("/pacticipants/web/main-branch/can-i-merge/badge")

    assert verdict(answer) == (True, 1, 0, 0)
    assert ">success<" in badge.text


def test_pending_status_is_still_decided_by_verifications_alone(broker: BrokerClient) -> None:
    publish_contract(broker, "10")
    broker.publish("web", "1", "shop", branch="main", interactions=COMPATIBLE)

    found = broker.for_verification(
        "shop", {"consumerVersionSelectors": [{"mainBranch": True}], "includePendingStatus": True}
    )

    (item,) = found["_embedded"]["pacts"]
    assert item["verificationProperties"]["pending"] is True  # a document is no verification


def test_comparisons_a_query_makes_are_bounded(broker: BrokerClient, monkeypatch: pytest.MonkeyPatch) -> None:
    publish_contract(broker, "10")
    publish_contract(broker, "11")  # 10 no longer matters: pacts published now are compared with 11 only
    for number in ("1", "2", "3"):
        changed = get_item(response_body={"id": int(number), "name": "Lamp"})
        broker.publish("web", number, "shop", branch=f"b{number}", interactions=pact(changed)["interactions"])
    monkeypatch.setattr(contract_rows, "MAX_COMPARISONS_PER_QUERY", 2)
    query = "&".join(f"q[][pacticipant]=web&q[][version]={n}" for n in "123") + "&q[][pacticipant]=shop&q[][version]=10"

    answer = broker.matrix(query + "&latestby=cvpv")

    assert verdict(answer) == (None, 2, 0, 1)  # the third pair waits for a query (or a page) with budget


def test_the_official_cli_shows_the_cross_contract_row_and_reason(broker: BrokerClient) -> None:
    publish_contract(broker, "10")
    broker.record_deployment("shop", "10", "production")
    broker.publish("web", "1", "shop", branch="main", interactions=EXPECTS_A_PRICE)
    broker.publish("web", "2", "shop", branch="main", interactions=COMPATIBLE)

    no = run_pact(
        broker.url, "can-i-deploy", "--pacticipant", "web", "--version", "1", "--to-environment", "production"
    )
    yes = run_pact(
        broker.url, "can-i-deploy", "--pacticipant", "web", "--version", "2", "--to-environment", "production"
    )

    assert no.returncode == 1, no.stdout + no.stderr
    assert "Computer says no" in no.stdout
    assert re.search(r"web\s*┆\s*1\s*┆\s*shop\s*┆\s*10\s*┆\s*false", no.stdout)
    assert "/contracts/bi-directional/provider/shop/version/10/consumer/web/version/1/cross-contract" in no.stdout
    assert PRICE_REASON in no.stdout
    assert yes.returncode == 0, yes.stdout + yes.stderr
    assert "Computer says yes" in yes.stdout
