"""The official broker's approved answers for GET /matrix, replayed against ours on both databases.

`spec/features/get_matrix_approval_spec.rb` builds one graph and pins each answer's summary and
notice types (`spec/fixtures/approvals/features_get_matrix_approval_spec.approved.json`) and the
full body of the two-name browse (`spec/fixtures/approvals/matrix_full_body_ui_browse.approved.json`):

    Foo 1 -> Bar: verified successfully by Bar 10
    Foo 2 (main) -> Bar: verified, failing, by Bar 20
    Foo 3 (main) -> Bar: never verified
    Foo 3 (main) -> Baz: verified successfully by Baz 30, which is deployed to production
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.broker.support import BrokerClient, interaction

NO_ENVIRONMENT = (
    "WARN: It is recommended to specify the environment into which you are deploying. "
    "Without the environment, this result will not be reliable."
)
BROWSE = {
    "deployable": None,
    "reason": "The verification for the pact between any version of Foo and any version of Bar failed\n"
    "There is no verified pact between any version of Foo and any version of Bar",
    "success": 1,
    "failed": 1,
    "unknown": 1,
}


def _things(number: int) -> list[dict[str, Any]]:
    return [interaction(f"things {number}", f"/things/{number}")]


def build_graph(broker: BrokerClient) -> None:
    broker.publish("Foo", "1", "Bar", interactions=_things(1))
    broker.verify("Bar", "Foo", "1", "10")
    broker.publish("Foo", "2", "Bar", branch="main", interactions=_things(2))
    broker.verify("Bar", "Foo", "2", "20", success=False)
    broker.publish("Foo", "3", ["Bar", "Baz"], branch="main", interactions=_things(3))
    broker.verify("Baz", "Foo", "3", "30")
    broker.record_deployment("Baz", "30", "production")


DISTILLED = [
    pytest.param(
        "/matrix?q[][pacticipant]=Foo&q[][version]=1&latestby=cvpv&latest=true",
        {
            "deployable": None,
            "reason": f"{NO_ENVIRONMENT}\nThere is no verified pact between version 1 of Foo "
            "and the latest version of Bar (20)",
            "success": 0,
            "failed": 0,
            "unknown": 1,
        },
        ["warning", "error"],
        id="single selector to latest",
    ),
    pytest.param(
        "/matrix?q[][pacticipant]=Foo&q[][version]=1&latestby=cvpv&environment=production",
        {
            "deployable": None,
            "reason": "There is no verified pact between version 1 of Foo and a version of Bar currently in production "
            "(no version is currently recorded as deployed/released in this environment)",
            "success": 0,
            "failed": 0,
            "unknown": 1,
        },
        ["error"],
        id="can-i-deploy to environment",
    ),
    pytest.param(
        "/matrix?q[][pacticipant]=Foo&q[][version]=2&latestby=cvpv&mainBranch=true",
        {
            "deployable": None,
            "reason": "There is no verified pact between version 2 of Foo and any version of Bar from the main branch "
            "(no versions exist for this branch)",
            "success": 0,
            "failed": 0,
            "unknown": 1,
        },
        ["error"],
        id="can-i-deploy to mainBranch",
    ),
    pytest.param(
        "/matrix?q[][pacticipant]=Foo&q[][pacticipant]=Bar&latestby=cvpv",
        BROWSE,
        ["error", "error"],
        id="matrix UI browse (two selectors by name)",
    ),
    pytest.param(
        "/matrix?q[]pacticipant=Foo&q[]version=1&q[]pacticipant=Bar&q[]version=10&latestby=cvpv",
        {
            "deployable": True,
            "reason": "All required verification results are published and successful",
            "success": 1,
            "failed": 0,
            "unknown": 0,
        },
        ["success"],
        id="flat encoding, two selectors",
    ),
    pytest.param(
        "/matrix?q[][pacticipant]=Foo&q[][pacticipant]=Bar&latestby=cvpv&success=true",
        {
            "deployable": True,
            "reason": "All required verification results are published and successful",
            "success": 1,
            "failed": 0,
            "unknown": 0,
        },
        ["success"],
        id="success filter true",
    ),
    pytest.param("/matrix/provider/Bar/consumer/Foo", BROWSE, ["error", "error"], id="path endpoint"),
]


@pytest.mark.parametrize(("path", "summary", "notice_types"), DISTILLED)
def test_the_approved_summaries(
    broker: BrokerClient, path: str, summary: dict[str, Any], notice_types: list[str]
) -> None:
    build_graph(broker)
    response = broker.get(path)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["summary"] == summary
    assert [notice["type"] for notice in answer["notices"]] == notice_types
    assert [notice["text"] for notice in answer["notices"]] == summary["reason"].split("\n")


def test_a_limit_cuts_the_rows_and_the_summary_counts_only_those_shown(broker: BrokerClient) -> None:
    build_graph(broker)
    answer = broker.matrix("q[][pacticipant]=Foo&q[][pacticipant]=Bar&latestby=cvpv&limit=1")
    summary = answer["summary"]
    assert len(answer["matrix"]) == 1
    assert summary["success"] + summary["failed"] + summary["unknown"] == 1


def _branch_version(name: str, number: str, latest: bool, url: str) -> dict[str, Any]:
    href = f"{url}/pacticipants/Foo/branches/{name}/versions/{number}"
    return {"name": name, "latest": latest, "_links": {"self": {"title": "Branch version", "name": name, "href": href}}}


def test_the_approved_full_body_of_the_two_name_browse(broker: BrokerClient) -> None:
    build_graph(broker)
    answer = broker.matrix("q[][pacticipant]=Foo&q[][pacticipant]=Bar&latestby=cvpv")
    assert answer["summary"] == BROWSE
    rows = answer["matrix"]
    assert [
        (
            row["consumer"]["version"]["number"],
            row["provider"]["version"] and row["provider"]["version"]["number"],
            row["verificationResult"] and row["verificationResult"]["success"],
        )
        for row in rows
    ] == [("3", None, None), ("2", "20", False), ("1", "10", True)]
    url = broker.url
    unverified = rows[0]
    assert unverified["consumer"] == {
        "name": "Foo",
        "version": {
            "number": "3",
            "branch": "main",
            "branches": [_branch_version("main", "3", True, url)],
            "branchVersions": [_branch_version("main", "3", True, url)],
            "environments": [],
            "_links": {"self": {"href": f"{url}/pacticipants/Foo/versions/3"}},
            "tags": [],
        },
        "_links": {"self": {"href": f"{url}/pacticipants/Foo"}},
    }
    assert unverified["provider"] == {
        "name": "Bar",
        "version": None,
        "_links": {"self": {"href": f"{url}/pacticipants/Bar"}},
    }
    assert unverified["pact"]["_links"] == {"self": {"href": f"{url}/pacts/provider/Bar/consumer/Foo/version/3"}}
    assert unverified["verificationResult"] is None
    assert rows[1]["consumer"]["version"]["branches"] == [_branch_version("main", "2", False, url)]
    assert rows[1]["provider"]["version"] == {
        "number": "20",
        "branch": None,
        "branches": [],
        "branchVersions": [],
        "environments": [],
        "_links": {"self": {"href": f"{url}/pacticipants/Bar/versions/20"}},
        "tags": [],
    }
    assert set(rows[2]["verificationResult"]) == {"success", "verifiedAt", "_links"}
    assert all("ignored" not in row for row in rows)
