"""Which rows the matrix answers with, as the official broker does (`lib/pact_broker/matrix/`):

* selectors naming a consumer keep its pacts that no selected provider version verified, as
  unverified rows (a left join), even when they give only the pacticipant's name;
* `success` / `success[]` keep only the rows with those results, and the summary counts only them;
* a `mainBranch` destination without `latest` means every version on each main branch
  (`spec/lib/pact_broker/matrix/repository_main_branch_spec.rb`);
* without `latestby` every pact revision and every verification is a row
  (`spec/lib/pact_broker/matrix/repository_spec.rb`).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.broker.conftest import StartBroker
from tests.broker.support import BrokerClient, interaction


def _rows(answer: dict[str, Any]) -> list[str]:
    """`Foo1 Bar10 ok`: consumer and version, provider and version (? unverified), result."""
    shown = []
    for row in answer["matrix"]:
        provider_version = row["provider"]["version"]["number"] if row["provider"]["version"] else "?"
        result = row["verificationResult"]
        outcome = "-" if result is None else ("ok" if result["success"] else "failed")
        shown.append(
            f"{row['consumer']['name']}{row['consumer']['version']['number']} "
            f"{row['provider']['name']}{provider_version} {outcome}"
        )
    return shown


def _counts(answer: dict[str, Any]) -> tuple[Any, int, int, int]:
    summary = answer["summary"]
    return summary["deployable"], summary["success"], summary["failed"], summary["unknown"]


def _three_outcomes(broker: BrokerClient) -> None:
    """Foo 1 verified by Bar 10, Foo 2 failed by Bar 20, Foo 3 never verified."""
    for number, provider_version, success in (("1", "10", True), ("2", "20", False), ("3", None, None)):
        broker.publish("Foo", number, "Bar", interactions=[interaction(f"request {number}")])
        if provider_version is not None:
            broker.verify("Bar", "Foo", number, provider_version, success=bool(success))


# --- unverified rows for name-only selectors ------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/matrix?q[][pacticipant]=Foo&q[][pacticipant]=Bar&latestby=cvpv",
        "/matrix?q[][pacticipant]=Foo&q[][pacticipant]=Bar",
        "/matrix/provider/Bar/consumer/Foo",
        "/matrix/provider/Bar/consumer/Foo?latestby=cvpv",
    ],
)
def test_two_name_only_selectors_keep_the_unverified_row(broker: BrokerClient, path: str) -> None:
    _three_outcomes(broker)
    answer = broker.get(path).json()
    assert _rows(answer) == ["Foo3 Bar? -", "Foo2 Bar20 failed", "Foo1 Bar10 ok"]
    assert _counts(answer) == (None, 1, 1, 1)
    assert answer["summary"]["reason"].split("\n") == [
        "The verification for the pact between any version of Foo and any version of Bar failed",
        "There is no verified pact between any version of Foo and any version of Bar",
    ]


def test_a_name_only_consumer_with_a_versioned_provider_keeps_what_that_version_did_not_verify(
    broker: BrokerClient,
) -> None:
    _three_outcomes(broker)
    answer = broker.matrix("q[][pacticipant]=Foo&q[][pacticipant]=Bar&q[][version]=10&latestby=cvpv")
    assert _rows(answer) == ["Foo3 Bar? -", "Foo2 Bar? -", "Foo1 Bar10 ok"]
    assert _counts(answer) == (None, 1, 0, 2)
    assert answer["summary"]["reason"].split("\n") == [
        "There is no verified pact between any version of Foo and version 10 of Bar"
    ]


def test_one_name_only_consumer_selector_keeps_its_unverified_pacts(broker: BrokerClient) -> None:
    _three_outcomes(broker)
    answer = broker.matrix("q[][pacticipant]=Foo&latestby=cvpv")
    assert _rows(answer) == ["Foo3 Bar? -", "Foo2 Bar20 failed", "Foo1 Bar10 ok"]
    assert _counts(answer) == (None, 1, 1, 1)


def test_a_provider_alone_only_has_rows_it_verified(broker: BrokerClient) -> None:
    _three_outcomes(broker)
    answer = broker.matrix("q[][pacticipant]=Bar&q[][version]=20&latestby=cvpv")
    assert _rows(answer) == ["Foo2 Bar20 failed"]
    assert answer["summary"]["reason"].split("\n")[-1] == (
        "The verification for the pact between version 2 of Foo and version 20 of Bar failed"
    )


# --- the success filter -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("success", "rows", "counts"),
    [
        ("success=true", ["Foo1 Bar10 ok"], (True, 1, 0, 0)),
        ("success[]=true", ["Foo1 Bar10 ok"], (True, 1, 0, 0)),
        ("success=false", ["Foo2 Bar20 failed"], (False, 0, 1, 0)),
        ("success[]=", ["Foo3 Bar? -"], (None, 0, 0, 1)),
        ("success[]=true&success[]=false", ["Foo2 Bar20 failed", "Foo1 Bar10 ok"], (False, 1, 1, 0)),
    ],
)
def test_success_filters_the_rows_and_the_summary_counts_only_those(
    broker: BrokerClient, success: str, rows: list[str], counts: tuple[Any, int, int, int]
) -> None:
    _three_outcomes(broker)
    answer = broker.matrix(f"q[][pacticipant]=Foo&q[][pacticipant]=Bar&latestby=cvpv&{success}")
    assert _rows(answer) == rows
    assert _counts(answer) == counts


def test_the_success_filter_applies_after_latestby(broker: BrokerClient) -> None:
    broker.publish("Foo", "1", "Bar")
    broker.verify("Bar", "Foo", "1", "5")
    broker.verify("Bar", "Foo", "1", "6", success=False)
    answer = broker.matrix("q[][pacticipant]=Foo&q[][pacticipant]=Bar&latestby=cvp&success[]=true")
    assert answer["matrix"] == [], "latestby kept Bar 6's failure, which the filter then dropped"
    assert _counts(answer) == (None, 0, 0, 1), "the required integration is left without a row"
    assert answer["summary"]["reason"] == "There is no verified pact between any version of Foo and any version of Bar"


def test_a_success_filter_that_is_not_true_false_or_blank_is_a_400(broker: BrokerClient) -> None:
    broker.publish("Foo", "1", "Bar")
    response = broker.get("/matrix?q[][pacticipant]=Foo&success=maybe")
    assert response.status_code == 400
    assert response.json()["errors"]["success"] == ["must be true, false or blank"]


# --- mainBranch with and without latest ---------------------------------------------------------


def _main_branches(broker: BrokerClient) -> None:
    """Foo 1 verified by Bar 1 (failed) and 2 on develop, Bar 3 on another branch; Baz alike on main."""
    for name, main in (("Bar", "develop"), ("Baz", "main")):
        assert broker.post("/pacticipants", {"name": name, "mainBranch": main}).status_code == 201
    broker.publish("Foo", "1", ["Bar", "Baz"])
    broker.verify("Bar", "Foo", "1", "1", branch="develop", success=False)
    broker.verify("Bar", "Foo", "1", "2", branch="develop")
    broker.verify("Bar", "Foo", "1", "3", branch="not-develop")
    broker.verify("Baz", "Foo", "1", "10", branch="main")
    broker.verify("Baz", "Foo", "1", "11", branch="main")
    broker.verify("Baz", "Foo", "1", "12", branch="not-main")


def test_main_branch_without_latest_means_every_version_on_each_main_branch(broker: BrokerClient) -> None:
    _main_branches(broker)
    answer = broker.matrix("q[][pacticipant]=Foo&q[][version]=1&latestby=cvpv&mainBranch=true")
    assert sorted(_rows(answer)) == ["Foo1 Bar1 failed", "Foo1 Bar2 ok", "Foo1 Baz10 ok", "Foo1 Baz11 ok"]
    assert answer["summary"]["reason"] == (
        "The verification for the pact between version 1 of Foo and one of the versions of Bar "
        "from branch develop (1) failed"
    )


def test_main_branch_with_latest_means_each_main_branch_head(broker: BrokerClient) -> None:
    _main_branches(broker)
    answer = broker.matrix("q[][pacticipant]=Foo&q[][version]=1&latestby=cvp&latest=true&mainBranch=true")
    assert sorted(_rows(answer)) == ["Foo1 Bar2 ok", "Foo1 Baz11 ok"]
    assert answer["summary"]["deployable"] is True


def test_deploying_a_provider_against_every_main_branch_version_of_its_consumers(broker: BrokerClient) -> None:
    for consumer, main in (("Foo", "develop"), ("Beep", "main")):
        broker.post("/pacticipants", {"name": consumer, "mainBranch": main})
        for number, branch in (("1", main), ("2", main), ("3", f"not-{main}")):
            broker.publish(consumer, number, "Bar", branch=branch, interactions=[interaction(f"{consumer} {number}")])
            broker.verify("Bar", consumer, number, "1")
    every = broker.matrix("q[][pacticipant]=Bar&q[][version]=1&latestby=cvpv&mainBranch=true")
    assert sorted(_rows(every)) == ["Beep1 Bar1 ok", "Beep2 Bar1 ok", "Foo1 Bar1 ok", "Foo2 Bar1 ok"]
    heads = broker.matrix("q[][pacticipant]=Bar&q[][version]=1&latestby=cvpv&latest=true&mainBranch=true")
    assert sorted(_rows(heads)) == ["Beep2 Bar1 ok", "Foo2 Bar1 ok"]


@pytest.mark.parametrize(
    ("destination", "description"),
    [
        ("mainBranch=true", "any version of Bar from the main branch (no versions exist for this branch)"),
        (
            "latest=true&mainBranch=true",
            "the latest version of Bar from the main branch (no versions exist for this branch)",
        ),
    ],
)
def test_a_provider_without_main_branch_versions_is_worded_as_such(
    broker: BrokerClient, destination: str, description: str
) -> None:
    broker.publish("Foo", "1", "Bar")
    broker.verify("Bar", "Foo", "1", "10")
    answer = broker.matrix(f"q[][pacticipant]=Foo&q[][version]=1&latestby=cvp&{destination}")
    assert _counts(answer) == (None, 0, 0, 1)
    assert answer["summary"]["reason"] == f"There is no verified pact between version 1 of Foo and {description}"


def test_a_tag_destination_without_latest_means_every_version_with_the_tag(broker: BrokerClient) -> None:
    broker.publish("Foo", "1", "Bar")
    broker.verify("Bar", "Foo", "1", "1", success=False, tags=["prod"])
    broker.verify("Bar", "Foo", "1", "2", tags=["prod"])
    assert _counts(broker.matrix("q[][pacticipant]=Foo&q[][version]=1&latestby=cvpv&tag=prod")) == (False, 1, 1, 0)
    latest = broker.matrix("q[][pacticipant]=Foo&q[][version]=1&latestby=cvpv&latest=true&tag=prod")
    assert _counts(latest) == (True, 1, 0, 0)


# --- every revision and every verification without latestby --------------------------------------


def test_every_verification_is_a_row_without_latestby(broker: BrokerClient) -> None:
    broker.publish("A", "1", "B")
    broker.verify("B", "A", "1", "1", success=False)
    broker.verify("B", "A", "1", "1")
    broker.verify("B", "A", "1", "2")
    every = broker.matrix("q[][pacticipant]=A&q[][pacticipant]=B")
    assert _rows(every) == ["A1 B2 ok", "A1 B1 ok", "A1 B1 failed"]
    assert _counts(every) == (False, 2, 1, 0)
    assert _rows(broker.matrix("q[][pacticipant]=A&q[][pacticipant]=B&latestby=cvpv")) == ["A1 B2 ok", "A1 B1 ok"]
    assert _rows(broker.matrix("q[][pacticipant]=A&q[][pacticipant]=B&latestby=cvp")) == ["A1 B2 ok"]


def _revised(client: BrokerClient) -> None:
    """billy 1's pact with bobby: published, verified by bobby 1, changed, then changed back."""
    original = [interaction("original")]
    client.publish("billy", "1", "bobby", interactions=original)
    client.verify("bobby", "billy", "1", "1")
    client.publish("billy", "1", "bobby", interactions=[interaction("changed")])
    client.publish("billy", "1", "bobby", interactions=original)


def test_each_pact_revision_is_a_row_without_latestby(start_broker: StartBroker) -> None:
    with start_broker(allow_dangerous_contract_modification=True) as client:
        _revised(client)
        every = client.matrix("q[][pacticipant]=billy&q[][pacticipant]=bobby")
        assert _rows(every) == ["billy1 bobby1 ok", "billy1 bobby? -", "billy1 bobby1 ok"]
        assert _counts(every) == (None, 2, 0, 1)
        for latestby in ("cvpv", "cvp"):
            latest = client.matrix(f"q[][pacticipant]=billy&q[][pacticipant]=bobby&latestby={latestby}")
            assert _rows(latest) == ["billy1 bobby1 ok"], latestby
        assert _rows(client.get("/matrix/provider/bobby/consumer/billy").json()) == _rows(every)


def test_a_revision_verified_after_it_was_made_is_one_row(start_broker: StartBroker) -> None:
    with start_broker(allow_dangerous_contract_modification=True) as client:
        client.publish("A", "1", "B", interactions=[interaction("first")])
        client.publish("A", "1", "B", interactions=[interaction("second")])
        client.verify("B", "A", "1", "1")
        assert _rows(
            client.matrix("q[][pacticipant]=A&q[][version]=1&q[][pacticipant]=B&q[][version]=1&latestby=cvpv")
        ) == ["A1 B1 ok"]
        every = client.matrix("q[][pacticipant]=A&q[][version]=1&q[][pacticipant]=B&q[][version]=1")
        assert _rows(every) == ["A1 B1 ok", "A1 B? -"]


# --- an integration's newest rows, whatever its history ---------------------------------------------


def test_an_old_pact_verified_last_is_among_an_integrations_newest_rows(broker: BrokerClient) -> None:
    """The limit keeps the newest actions: a pact published long ago but verified just now
    counts as new, although newer consumer versions crowd it out by publication time."""
    for number in range(1, 6):
        broker.publish("A", str(number), "B", interactions=[interaction(f"request {number}")])
    broker.verify("B", "A", "1", "7")
    for path in ("/matrix/provider/B/consumer/A?latestby=cvpv&limit=3", None):
        answer = (
            broker.get(path).json()
            if path
            else broker.matrix("q[][pacticipant]=A&q[][pacticipant]=B&latestby=cvpv&limit=3")
        )
        assert _rows(answer) == ["A5 B? -", "A4 B? -", "A1 B7 ok"]


def test_an_old_pact_revised_last_is_among_an_integrations_newest_rows(start_broker: StartBroker) -> None:
    with start_broker(allow_dangerous_contract_modification=True) as client:
        for number in range(1, 6):
            client.publish("A", str(number), "B", interactions=[interaction(f"request {number}")])
        client.verify("B", "A", "2", "7")
        client.publish("A", "1", "B", interactions=[interaction("changed")])
        answer = client.matrix("q[][pacticipant]=A&q[][pacticipant]=B&latestby=cvpv&limit=2")
        assert _rows(answer) == ["A2 B7 ok", "A1 B? -"]
