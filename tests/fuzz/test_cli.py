"""`solo60 fuzz` as a user runs it: a table, a verdict in the exit code, a seed to repeat the run."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import pytest

from solo60.fuzz.live import LiveTargets
from solo60.harness.broker_access import BrokerAccess, BrokerClient, segment
from solo60.harness.judged.matrix import Selector, can_i_deploy
from solo60.harness.made.pact_files import pact_files
from solo60.harness.published.publish import PublishOptions, publish_pacts
from solo60.harness.versions import Revision
from tests.fuzz.broken_app import OPERATION, running_broken_app
from tests.harness.brokers import WRITER, authenticated_broker, credentials_environment

ROOT = Path(__file__).resolve().parents[2]


def solo60_fuzz(
    *arguments: str, cwd: Path = ROOT, environ: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    inherited = {key: value for key, value in os.environ.items() if not key.startswith("PACT_BROKER_")}
    return subprocess.run(
        [sys.executable, "-m", "solo60", "fuzz", *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**inherited, "COLUMNS": "200", **(environ or {})},
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["billing"], "unknown target 'billing'"),
        (["--max-examples", "0"], "--max-examples must be at least 1"),
        (["--max-examples", "many"], "'--max-examples'"),
        (["--url", "user=ftp://example.com"], "--url takes NAME=URL"),
        (["user", "--url", "gym=http://127.0.0.1:1"], "--url names 'gym'"),
        (["--report", "html"], "--report takes junit"),
        (["--workers", "0"], "--workers must be between 1 and 64"),
        (["--unknown"], "No such option: --unknown"),
        (["user", "gym", "--publish-provider-contract"], "name exactly one service"),
        (["broker", "--publish-provider-contract"], "name exactly one service"),
        (["user", "--publish-provider-contract"], "no broker URL: give --broker-url or set PACT_BROKER_BASE_URL"),
        (["user", "--provider-version", "1"], "--provider-version is for publishing the provider contract"),
        (["user", "--broker-url", "http://127.0.0.1:1"], "--broker-url is for publishing the provider contract"),
    ],
)
def test_bad_arguments_get_one_line_and_exit_code_2(arguments: list[str], message: str) -> None:
    completed = solo60_fuzz(*arguments)
    assert completed.returncode == 2, completed.stdout + completed.stderr
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1, completed.stderr
    assert lines[0].startswith("error: ")
    assert message in lines[0]
    assert not completed.stdout


def test_a_new_finding_exits_1_with_its_reproduction_and_a_junit_failure(tmp_path: Path) -> None:
    with running_broken_app() as url:
        completed = solo60_fuzz(
            "--url",
            f"user={url}",
            "--max-examples",
            "3",
            "--seed",
            "5",
            "--report",
            "junit",
            "--report-dir",
            str(tmp_path),
        )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 1, output
    assert re.search(rf"{re.escape(OPERATION)}\s.*ST108", output)
    assert "curl -X GET" in output
    assert "repeat with --seed 5" in output
    report = ET.parse(tmp_path / "fuzz-junit.xml").getroot()
    failures = report.findall(".//testcase/failure")
    assert [failure.get("type") for failure in failures] == ["ST108"]


def test_the_same_seed_repeats_the_same_cases() -> None:
    def cases() -> str:
        with running_broken_app() as url:
            completed = solo60_fuzz("--url", f"user={url}", "--max-examples", "5", "--seed", "9")
        match = re.search(rf"{re.escape(OPERATION)}\s*│\s*(\d+)", completed.stdout)
        assert match, completed.stdout + completed.stderr
        return match.group(1)

    assert cases() == cases()


def test_a_running_service_is_fuzzed_where_it_runs(services: LiveTargets) -> None:
    completed = solo60_fuzz("--url", f"user={services['user'].url}", "--max-examples", "2", "--no-stateful")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    for operation in (
        "GET /internal/users/{userId}",
        "GET /internal/users/by-email",
        "GET /internal/users/{userId}/roles/{role}",
        "POST /internal/users",
        "PATCH /internal/users/{userId}",
    ):
        assert re.search(rf"│ user\s+│ {re.escape(operation)}\s+│\s+\d+", completed.stdout), operation
    assert "no new findings" in completed.stdout


def test_services_not_given_by_url_are_started_for_the_run(tmp_path: Path) -> None:
    completed = solo60_fuzz(
        "gym", "--max-examples", "2", "--no-stateful", "--seed", "3", "--report", "json", "--report-dir", str(tmp_path)
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert re.search(r"│ gym\s+│ GET /internal/gyms/\{gymId\}/pricing\s+│\s+\d+", completed.stdout)
    assert "repeat with --seed 3" in completed.stdout
    report = json.loads((tmp_path / "fuzz.json").read_text())
    assert set(report) == {"gym"}
    assert set(report["gym"]) == {"GET /internal/gyms/{gymId}", "GET /internal/gyms/{gymId}/pricing"}
    for counts in report["gym"].values():
        assert set(counts) == {"cases", "2xx", "404", "4xx", "5xx"}
        assert counts["cases"] >= counts["2xx"] + counts["404"] + counts["4xx"] + counts["5xx"]
    assert report["gym"]["GET /internal/gyms/{gymId}"]["2xx"] >= 1, report  # the seeded gym-1 is found


CONSUMER_VERSION = "1.0.0"


@pytest.fixture(scope="module")
def broker_with_pact(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Our broker (basic auth on) holding the auth -> user pact the consumer suite writes."""
    pacts = tmp_path_factory.mktemp("pacts")
    made = subprocess.run(
        [sys.executable, "-m", "pytest", "consumers/auth/test_auth_to_user.py", "-q", "-p", "no:randomly",
         "--pacts-dir", str(pacts)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env={**os.environ, "PACT_DO_NOT_TRACK": "true"},
    )  # fmt: skip
    assert made.returncode == 0, made.stdout[-3000:]
    with authenticated_broker() as url, writer(url) as broker:
        publish_pacts(broker, pact_files(pacts), PublishOptions(Revision(CONSUMER_VERSION, "main")))
        yield url


def writer(url: str) -> BrokerClient:
    return BrokerAccess(url, username=WRITER[0], password=WRITER[1]).client()


def bi_directional(provider_version: str, tail: str, consumer: str = "") -> str:
    base = f"/contracts/bi-directional/provider/user/version/{segment(provider_version)}"
    return f"{base}{consumer}/{tail}"


def test_the_fuzzed_provider_publishes_its_contract_and_the_gate_counts_it(broker_with_pact: str) -> None:
    completed = solo60_fuzz(
        "user", "--max-examples", "2", "--no-stateful", "--seed", "3", "--publish-provider-contract",
        "--provider-version", "2.0.0", "--branch", "main", "--tag", "fuzzed",
        environ=credentials_environment(broker_with_pact, WRITER),
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "published user's provider contract as 2.0.0 on main (self-verification passed)" in completed.stdout
    assert "Compared with 1 consumer pact(s): 1 compatible, 0 incompatible" in completed.stdout
    with writer(broker_with_pact) as broker:
        contract = broker.get(bi_directional("2.0.0", "provider-contract"))
        assert contract["specification"] == "oas"
        assert "/internal/users/{userId}" in json.loads(contract["content"])["paths"]
        verification = broker.get(bi_directional("2.0.0", "provider-contract-verification-results"))
        assert (verification["success"], verification["verifier"]) == (True, "schemathesis")
        assert verification["verifierVersion"] == version("schemathesis")
        assert "no new findings" in verification["content"]
        assert "GET /internal/users/{userId}" in verification["content"]
        cross = broker.get(
            bi_directional("2.0.0", "cross-contract-verification-results", f"/consumer/auth/version/{CONSUMER_VERSION}")
        )
        assert cross["success"] is True
        verdict = can_i_deploy(broker, [Selector("auth", CONSUMER_VERSION), Selector("user", "2.0.0")])
        assert verdict.deployable, verdict.reason
        assert [row.success for row in verdict.rows] == [True]


def test_a_run_with_new_findings_publishes_a_failed_self_verification(broker_with_pact: str) -> None:
    with running_broken_app() as url:
        completed = solo60_fuzz(
            "--url", f"user={url}", "--max-examples", "3", "--seed", "5", "--publish-provider-contract",
            "--provider-version", "3.0.0", "--branch", "main",
            environ=credentials_environment(broker_with_pact, WRITER),
        )  # fmt: skip
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "published user's provider contract as 3.0.0 on main (self-verification failed)" in completed.stdout
    with writer(broker_with_pact) as broker:
        verification = broker.get(bi_directional("3.0.0", "provider-contract-verification-results"))
        assert verification["success"] is False
        assert "ST108" in verification["content"]
        verdict = can_i_deploy(broker, [Selector("auth", CONSUMER_VERSION), Selector("user", "3.0.0")])
        assert not verdict.deployable


def test_a_broker_refusing_the_credentials_is_named_and_exits_1(broker_with_pact: str) -> None:
    with running_broken_app() as url:
        completed = solo60_fuzz(
            "--url", f"user={url}", "--max-examples", "1", "--no-stateful", "--publish-provider-contract",
            "--provider-version", "4.0.0", "--broker-url", broker_with_pact, "--broker-username", "ci",
            "--broker-password", "wrong",
        )  # fmt: skip
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "error: the provider contract was not published: the broker at" in completed.stderr
    assert "answered 401" in completed.stderr
