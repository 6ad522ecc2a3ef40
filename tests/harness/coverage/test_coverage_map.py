"""The coverage map (issue 11, item 4): who uses each operation and status, what they read, verified how,
what nobody uses, whether fuzzing reached it; offline and from the broker's `/coverage` alike."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from solo60.cli import app
from solo60.harness.breaking.documents import ref_documents
from solo60.harness.broker_access import BrokerAccess
from tests.harness.breaking.workspace import (
    NO_BROKER_FROM_THE_ENVIRONMENT,
    contracts_repository,
    interaction,
    pact,
    publish,
    publish_provider_contract,
    write_pact,
)

SESSION = pact(
    "session",
    "user",
    interaction(
        "a request for an active member",
        "GET",
        "/internal/users/123",
        consumer="session",
        response={"name": "Ada Lovelace", "status": "ACTIVE"},
    ),
    interaction(
        "a request for a member who does not exist",
        "GET",
        "/internal/users/404",
        consumer="session",
        status=404,
        response={"error": "NOT_FOUND", "message": "no such user", "correlationId": "c-1"},
    ),
)
FUZZ_REPORT = """<?xml version='1.0' encoding='utf-8'?>
<testsuites name="solo60 fuzz"><testsuite name="fuzz.user" tests="2">
<testcase classname="fuzz.user" name="GET /internal/users/{userId}">
<system-out>12 cases; 0 findings</system-out></testcase>
<testcase classname="fuzz.user" name="POST /internal/users"><system-out>0 cases; 0 findings</system-out></testcase>
</testsuite></testsuites>
"""


def coverage(*arguments: str) -> dict[str, Any]:
    result = CliRunner().invoke(
        app, ["contracts", "coverage", *arguments, "--json"], env=NO_BROKER_FROM_THE_ENVIRONMENT, catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def operation(found: dict[str, Any], provider: str, label: str) -> dict[str, Any]:
    listed = next(item for item in found["providers"] if item["provider"] == provider)
    return next(item for item in listed["operations"] if item["operation"] == label)


def status(found: dict[str, Any], provider: str, label: str, code: str) -> dict[str, Any]:
    return next(item for item in operation(found, provider, label)["statuses"] if item["status"] == code)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = contracts_repository(tmp_path / "repo")
    write_pact(repo, SESSION)
    return repo


def test_offline_each_status_names_its_interactions_and_the_fields_read(repo: Path, tmp_path: Path) -> None:
    report = tmp_path / "fuzz-junit.xml"
    report.write_text(FUZZ_REPORT)

    found = coverage("--repo", str(repo), "--fuzz-report", str(report), "--html", str(tmp_path / "coverage.html"))

    ok = status(found, "user", "GET /internal/users/{userId}", "200")
    assert [(use["consumer"], use["interaction"], use["verified"]) for use in ok["interactions"]] == [
        ("session", "a request for an active member", "compatible by comparison")
    ]
    read = {item["field"]: item["readBy"] for item in ok["fields"]}
    assert read["name"] == ["session"]
    assert read["createdAt"] == []
    assert status(found, "user", "GET /internal/users/{userId}", "404")["used"]
    assert not status(found, "user", "GET /internal/users/{userId}", "429")["used"]

    user = next(item for item in found["providers"] if item["provider"] == "user")
    assert "GET /internal/users/by-email" in user["unused"]["operations"]
    assert "GET /internal/users/{userId} 429" in user["unused"]["statuses"]
    assert "GET /internal/users/{userId} 200: createdAt" in user["unused"]["fields"]
    assert operation(found, "user", "GET /internal/users/{userId}")["fuzzed"] is True
    assert operation(found, "user", "POST /internal/users")["fuzzed"] is False
    page = (tmp_path / "coverage.html").read_text()
    assert "a request for an active member" in page
    assert "createdAt" in page


def test_without_a_fuzz_report_whether_fuzzing_reached_an_operation_is_unknown(repo: Path) -> None:
    found = coverage("--repo", str(repo))
    assert operation(found, "user", "GET /internal/users/{userId}")["fuzzed"] is None


def test_the_broker_serves_the_same_map_at_coverage(repo: Path) -> None:
    from broker.testing import running_broker

    offline = coverage("--repo", str(repo))
    base, _ = ref_documents(repo, "main")
    with running_broker() as url, BrokerAccess(url).client() as client:
        publish_provider_contract(client, "user", base["user"], version="u-1")
        publish(client, SESSION, version="1", branch="main")
        served = client.get("/coverage")
        online = coverage("--broker-url", url)

    assert served["_links"]["self"]["href"].endswith("/coverage")
    (user,) = online["providers"]
    assert user["provider"] == "user"
    assert user["contract"]["version"] == "u-1"
    offline_user = next(item for item in offline["providers"] if item["provider"] == "user")

    def shape(provider: dict[str, Any]) -> list[Any]:
        return [
            (
                item["operation"],
                [
                    (s["status"], [(u["consumer"], u["interaction"]) for u in s["interactions"]], s["fields"])
                    for s in item["statuses"]
                ],
            )
            for item in provider["operations"]
        ]

    assert shape(user) == shape(offline_user)
    assert user["unused"] == offline_user["unused"]


def test_an_unreadable_fuzz_report_is_one_line_and_exit_2(repo: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["contracts", "coverage", "--repo", str(repo), "--fuzz-report", str(tmp_path / "missing.xml")],
        env=NO_BROKER_FROM_THE_ENVIRONMENT,
    )
    assert result.exit_code == 2
    assert "cannot read the fuzz report" in result.stderr


def test_a_pact_the_provider_verified_is_shown_verified_by_that_provider_version(repo: Path) -> None:
    from broker.testing import running_broker

    base, _ = ref_documents(repo, "main")
    with running_broker() as url, BrokerAccess(url).client() as client:
        publish_provider_contract(client, "user", base["user"], version="u-1")
        publish(client, SESSION, version="1", branch="main")
        published = client.get("/pacts/provider/user/consumer/session/latest")
        href = published["_links"]["pb:publish-verification-results"]["href"]
        client.post(href, {"success": True, "providerApplicationVersion": "u-2"})
        found = client.get("/coverage")

    ok = status(found, "user", "GET /internal/users/{userId}", "200")
    assert [use["verified"] for use in ok["interactions"]] == ["verified by user u-2"]
