"""The reasons a verdict gives, in the official broker's order and words
(`lib/pact_broker/matrix/deployment_status_summary.rb`, `api/decorators/reason_decorator.rb`):

* warnings come first, then the errors, or else the success;
* "specify the version number" is a warning only when no selector gives a version number, and
  never when the selectors give nothing but pacticipant names;
* rows and selectors that `ignore[]` covers add no reason at all
  (`spec/fixtures/approvals/matrix_integration_ignore_spec.approved.json`).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.broker.support import BrokerClient

NO_ENVIRONMENT = (
    "WARN: It is recommended to specify the environment into which you are deploying. "
    "Without the environment, this result will not be reliable."
)
NO_VERSION = (
    "WARN: It is recommended to specify the version number (rather than the tag or branch) of the pacticipant "
    "you wish to deploy to avoid race conditions. Without a version number, this result will not be reliable."
)
ALL_SUCCESSFUL = "All required verification results are published and successful"


def _notices(answer: dict[str, Any]) -> list[tuple[str, str]]:
    assert answer["summary"]["reason"] == "\n".join(notice["text"] for notice in answer["notices"])
    return [(notice["type"], notice["text"]) for notice in answer["notices"]]


def _failed_bar_with_prod_tag(broker: BrokerClient) -> None:
    """Foo 1's pact with Bar, verified and failed by Bar 2, the latest Bar tagged prod."""
    broker.publish("Foo", "1", "Bar")
    broker.verify("Bar", "Foo", "1", "2", success=False, tags=["prod"])


# --- warnings first -----------------------------------------------------------------------------


def test_the_environment_warning_comes_before_the_failure(broker: BrokerClient) -> None:
    _failed_bar_with_prod_tag(broker)
    answer = broker.matrix("q[][pacticipant]=Foo&q[][version]=1&latestby=cvp&latest=true")
    assert answer["summary"]["deployable"] is False
    assert _notices(answer) == [
        ("warning", NO_ENVIRONMENT),
        ("error", "The verification for the pact between version 1 of Foo and the latest version of Bar (2) failed"),
    ]


def test_a_wrong_ignore_selector_warns_before_the_failure(broker: BrokerClient) -> None:
    _failed_bar_with_prod_tag(broker)
    answer = broker.matrix(
        "q[][pacticipant]=Foo&q[][version]=1&latestby=cvp&latest=true&tag=prod"
        "&ignore[][pacticipant]=Bar&ignore[][version]=999"
    )
    assert answer["summary"]["deployable"] is False
    assert _notices(answer) == [
        ("warning", "WARN: Cannot ignore version 999 of Bar (no such version exists)"),
        (
            "error",
            "The verification for the pact between version 1 of Foo and the latest version of Bar with tag prod (2) "
            "failed",
        ),
    ]


def test_warnings_also_come_before_the_success(broker: BrokerClient) -> None:
    broker.publish("Foo", "1", "Bar")
    broker.verify("Bar", "Foo", "1", "2", tags=["prod"])
    answer = broker.matrix("q[][pacticipant]=Foo&q[][version]=1&latestby=cvp&latest=true&ignore[][pacticipant]=Ghost")
    assert answer["summary"]["deployable"] is True
    assert _notices(answer) == [
        ("warning", "WARN: Cannot ignore any version of Ghost (no such pacticipant exists)"),
        ("warning", NO_ENVIRONMENT),
        ("success", ALL_SUCCESSFUL),
    ]


# --- "specify the version" ----------------------------------------------------------------------


def test_a_selector_with_a_version_number_spares_the_others_the_version_warning(broker: BrokerClient) -> None:
    broker.publish("Foo", "1", "Bar")
    broker.verify("Bar", "Foo", "1", "2", tags=["prod"])
    answer = broker.matrix(
        "q[][pacticipant]=Foo&q[][version]=1&q[][pacticipant]=Bar&q[][tag]=prod&q[][latest]=true&latestby=cvpv"
    )
    assert _notices(answer) == [("success", ALL_SUCCESSFUL)]


def test_selectors_giving_only_names_get_no_version_warning(broker: BrokerClient) -> None:
    broker.publish("Foo", "1", "Bar")
    broker.verify("Bar", "Foo", "1", "2")
    assert _notices(broker.matrix("q[][pacticipant]=Foo&q[][pacticipant]=Bar&latestby=cvpv")) == [
        ("success", ALL_SUCCESSFUL)
    ]
    one_name = broker.matrix("q[][pacticipant]=Foo&latestby=cvp&latest=true")
    assert _notices(one_name) == [("warning", NO_ENVIRONMENT), ("success", ALL_SUCCESSFUL)]


@pytest.mark.parametrize(
    "selector",
    ["q[][branch]=main&q[][latest]=true", "q[][tag]=dev&q[][latest]=true", "q[][latest]=true"],
    ids=["branch", "tag", "latest"],
)
def test_no_selector_with_a_version_number_is_warned_in_the_official_words(broker: BrokerClient, selector: str) -> None:
    broker.publish("Foo", "1", "Bar", branch="main", tags=["dev"])
    broker.verify("Bar", "Foo", "1", "2")
    broker.record_deployment("Bar", "2", "prod")
    answer = broker.matrix(f"q[][pacticipant]=Foo&{selector}&latestby=cvpv&environment=prod")
    assert _notices(answer) == [("warning", NO_VERSION), ("success", ALL_SUCCESSFUL)]


# --- ignored rows and selectors -------------------------------------------------------------------


def test_an_ignored_failing_verification_adds_no_reason(broker: BrokerClient) -> None:
    _failed_bar_with_prod_tag(broker)
    answer = broker.matrix(
        "q[][pacticipant]=Foo&q[][version]=1&latestby=cvp&latest=true&tag=prod&ignore[][pacticipant]=Bar"
    )
    summary = answer["summary"]
    assert (summary["deployable"], summary["success"], summary["failed"], summary["unknown"]) == (True, 0, 0, 0)
    assert summary["ignored"] == 1
    assert _notices(answer) == [("success", "There are no missing dependencies")]
    assert [row.get("ignored") for row in answer["matrix"]] == [True]
    assert answer["matrix"][0]["verificationResult"]["success"] is False


def test_ignoring_the_failing_provider_version_by_number(broker: BrokerClient) -> None:
    _failed_bar_with_prod_tag(broker)
    answer = broker.matrix(
        "q[][pacticipant]=Foo&q[][version]=1&latestby=cvp&latest=true&tag=prod"
        "&ignore[][pacticipant]=Bar&ignore[][version]=2"
    )
    assert answer["summary"]["deployable"] is True
    assert _notices(answer) == [("success", "There are no missing dependencies")]


def test_an_ignored_missing_verification_adds_no_reason(broker: BrokerClient) -> None:
    broker.publish("Foo", "1", "Bar")
    broker.put("/pacticipants/Bar/versions/2/tags/prod")
    query = "q[][pacticipant]=Foo&q[][version]=1&latestby=cvp&latest=true&tag=prod"
    without = broker.matrix(query)
    assert without["summary"]["deployable"] is None
    assert _notices(without) == [
        (
            "error",
            "There is no verified pact between version 1 of Foo and the latest version of Bar with tag prod (2)",
        )
    ]
    answer = broker.matrix(query + "&ignore[][pacticipant]=Bar")
    assert answer["summary"]["deployable"] is True
    assert _notices(answer) == [("success", "There are no missing dependencies")]


def test_an_ignored_selector_for_a_missing_version_adds_no_reason(broker: BrokerClient) -> None:
    broker.publish("Foo", "1", "Bar")
    broker.verify("Bar", "Foo", "1", "2")
    query = "q[][pacticipant]=Foo&q[][version]=1&q[][pacticipant]=Bar&q[][tag]=prod&q[][latest]=true&latestby=cvp"
    without = broker.matrix(query)
    assert without["summary"]["deployable"] is False
    assert _notices(without) == [("error", "No version with tag prod exists for Bar")]
    answer = broker.matrix(query + "&ignore[][pacticipant]=Bar")
    assert answer["summary"]["deployable"] is True
    assert _notices(answer) == [("success", "There are no missing dependencies")]


def test_ignored_rows_are_listed_after_the_considered_ones(broker: BrokerClient) -> None:
    broker.publish("Foo", "1", ["Bar", "Baz"])
    broker.verify("Bar", "Foo", "1", "2", success=False)
    broker.verify("Baz", "Foo", "1", "3")
    answer = broker.matrix("q[][pacticipant]=Foo&q[][version]=1&latestby=cvp&latest=true&ignore[][pacticipant]=Bar")
    assert [(row["provider"]["name"], row.get("ignored", False)) for row in answer["matrix"]] == [
        ("Baz", False),
        ("Bar", True),
    ]
    assert _notices(answer) == [("warning", NO_ENVIRONMENT), ("success", ALL_SUCCESSFUL)]
