"""publish, verify, can-i-deploy and record-deployment, checked against the official pact CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from solo60.cli import app

ROOT = Path(__file__).resolve().parents[2]
PACT = str(ROOT / ".venv" / "bin" / "pact") if (ROOT / ".venv" / "bin" / "pact").exists() else shutil.which("pact")


def solo60(*arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(arguments))
    return result.exit_code, result.output


def official(broker_url: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PACT, "broker", *arguments, "--broker-base-url", broker_url], capture_output=True, text=True, timeout=60
    )


def count(pacts: Path) -> int:
    """How many interactions auth's pact with user has (what each command must report)."""
    from solo60.harness.made.pact_files import pact_files

    (pact,) = pact_files(pacts)
    return pact.interactions


@pytest.fixture(scope="module")
def pacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("pacts")
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "consumers/auth/test_auth_to_user.py", "-q", "--pacts-dir", str(directory)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stdout[-2000:]
    return directory


@pytest.fixture
def broker_url() -> Iterator[str]:
    from broker.testing import running_broker

    with running_broker() as url:
        yield url


def test_the_loop_through_the_cli_with_the_official_cli_agreeing(pacts: Path, broker_url: str, tmp_path: Path) -> None:
    code, output = solo60("publish", "--broker-url", broker_url, "--pacts-dir", str(pacts), "--consumer-version", "c1")
    assert code == 0, output
    assert f"published auth -> user ({count(pacts)} interactions) as auth c1" in output
    listed = official(broker_url, "list-latest-pact-versions")
    assert "auth" in listed.stdout
    assert "c1" in listed.stdout

    before = solo60("can-i-deploy", "--broker-url", broker_url, "-a", "auth", "-e", "c1", "-a", "user", "-e", "p1")
    assert before[0] == 1
    assert "Computer says no" in before[1]

    code, output = solo60(
        "verify", "user", "--broker-url", broker_url, "--publish", "--provider-version", "p1",
        "--junit", str(tmp_path / "junit.xml"),
    )  # fmt: skip
    assert code == 0, output
    assert "auth -> user" in output
    assert f"{count(pacts)}/{count(pacts)}" in output
    assert (tmp_path / "junit.xml").read_text().count("<testcase") == count(pacts)

    after = solo60("can-i-deploy", "--broker-url", broker_url, "-a", "auth", "-e", "c1", "-a", "user", "-e", "p1")
    assert after[0] == 0, after[1]
    assert "Computer says yes" in after[1]
    agreed = official(
        broker_url,
        "can-i-deploy",
        "--pacticipant",
        "auth",
        "--version",
        "c1",
        "--pacticipant",
        "user",
        "--version",
        "p1",
    )
    assert agreed.returncode == 0
    assert "Computer says yes" in agreed.stdout


def test_a_deployment_is_recorded_for_an_environment_the_official_cli_created(pacts: Path, broker_url: str) -> None:
    solo60("publish", "--broker-url", broker_url, "--pacts-dir", str(pacts), "--consumer-version", "c1")
    solo60("verify", "user", "--broker-url", broker_url, "--publish", "--provider-version", "p1")

    missing = solo60(
        "record-deployment", "--broker-url", broker_url, "-a", "user", "-e", "p1", "--environment", "production"
    )
    created = official(broker_url, "create-environment", "--name", "production", "--production")
    recorded = solo60(
        "record-deployment", "--broker-url", broker_url, "-a", "user", "-e", "p1", "--environment", "production"
    )
    auth_alone = official(
        broker_url, "can-i-deploy", "--pacticipant", "auth", "--version", "c1", "--to-environment", "production"
    )

    assert missing[0] == 2
    assert "has no environment 'production'" in missing[1]
    assert created.returncode == 0, created.stderr
    assert recorded[0] == 0, recorded[1]
    assert auth_alone.returncode == 0, auth_alone.stdout


def test_verifying_local_pacts_needs_no_broker(pacts: Path) -> None:
    code, output = solo60("verify", "--pacts-dir", str(pacts))
    assert code == 0, output
    assert "verified" in output


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["can-i-deploy", "--broker-url", "http://127.0.0.1:9", "-a", "auth", "-e", "1", "-e", "2"],
            "one --version for each",
        ),
        (["verify", "billing", "--pacts-dir", "."], "unknown provider 'billing'"),
        (["verify", "--provider-url", "user", "--pacts-dir", "."], "--provider-url takes NAME=URL"),
        (["publish", "--broker-url", "http://127.0.0.1:9", "--pacts-dir", "/nonexistent"], "no pacts in /nonexistent"),
        (["verify", "user", "--publish", "--pacts-dir", "."], "--publish needs --broker-url"),
    ],
)
def test_bad_arguments_get_one_line_saying_what_is_wrong(arguments: list[str], message: str) -> None:
    env = {key: value for key, value in os.environ.items() if key != "PACT_BROKER_BASE_URL"}
    result = CliRunner(env=env).invoke(app, arguments)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_an_unreachable_broker_is_named(pacts: Path) -> None:
    code, output = solo60("publish", "--broker-url", "http://127.0.0.1:9", "--pacts-dir", str(pacts))
    assert code == 1
    assert "cannot reach the broker at http://127.0.0.1:9" in output
