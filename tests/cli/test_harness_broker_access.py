"""Every contract-loop command reaches an authenticated broker with the credentials it is given.

The broker runs with basic auth on: the read-write user works everywhere, the read-only user
may read (verify without publishing, can-i-deploy) and is refused, clearly, where it would
write, and a wrong password, an unreachable broker or a failing one is one line naming the
broker and the status, with a non-zero exit.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from solo60.cli import app
from tests.harness.brokers import READER, WRITER, WRONG, authenticated_broker, credentials_environment, failing_broker

ROOT = Path(__file__).resolve().parents[2]
CLEAN = {"PACT_BROKER_BASE_URL": "", "PACT_BROKER_USERNAME": "", "PACT_BROKER_PASSWORD": "", "PACT_BROKER_TOKEN": ""}


def solo60(*arguments: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner(env={**CLEAN, **(env or {})}).invoke(app, list(arguments))
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.output


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("error:")]


def as_flags(user: tuple[str, str]) -> list[str]:
    return ["--broker-username", user[0], "--broker-password", user[1]]


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
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-2000:]
    return directory


@pytest.fixture(scope="module")
def broker() -> Iterator[str]:
    """The authenticated broker, with the production environment its owner created."""
    from solo60.harness.broker_access import BrokerAccess
    from solo60.harness.judged.environments import create_environment

    with authenticated_broker() as url:
        with BrokerAccess(url, username=WRITER[0], password=WRITER[1]).client() as client:
            create_environment(client, "production", production=True)
        yield url


def test_the_read_write_user_publishes_verifies_and_judges(pacts: Path, broker: str, tmp_path: Path) -> None:
    writer = credentials_environment(broker, WRITER)

    published = solo60("publish", "--pacts-dir", str(pacts), "--consumer-version", "c1", env=writer)
    verified = solo60(
        "verify", "user", "--publish", "--provider-version", "p1", "--junit", str(tmp_path / "v.xml"), env=writer
    )
    judged = solo60("can-i-deploy", "-a", "auth", "-e", "c1", "-a", "user", "-e", "p1", env=writer)

    assert published[0] == 0, published[1]
    assert f"published auth -> user ({count(pacts)} interactions) as auth c1" in published[1]
    assert verified[0] == 0, verified[1]
    assert f"{count(pacts)}/{count(pacts)}" in verified[1]
    assert (tmp_path / "v.xml").read_text().count("<testcase") == count(pacts)
    assert judged[0] == 0, judged[1]
    assert "Computer says yes" in judged[1]


def test_the_read_only_user_reads_but_is_refused_each_write_naming_the_broker_and_403(pacts: Path, broker: str) -> None:
    writer, reader = credentials_environment(broker, WRITER), credentials_environment(broker, READER)
    assert solo60("publish", "--pacts-dir", str(pacts), "--consumer-version", "c2", env=writer)[0] == 0
    assert solo60("verify", "user", "--publish", "--provider-version", "p2", env=writer)[0] == 0

    publish = solo60("publish", "--pacts-dir", str(pacts), "--consumer-version", "c3", env=reader)
    verify_and_publish = solo60("verify", "user", "--publish", "--provider-version", "p3", env=reader)
    record = solo60("record-deployment", "-a", "user", "-e", "p2", "--environment", "production", env=reader)
    verify_only = solo60("verify", "user", env=reader)
    judge = solo60("can-i-deploy", "-a", "auth", "-e", "c2", "-a", "user", "-e", "p2", env=reader)
    never_published = solo60("can-i-deploy", "-a", "auth", "-e", "c3", env=reader)

    for refused, what in (
        (publish, "POST /contracts/publish"),
        (verify_and_publish, "PUT /pacticipants/user/branches/"),
        (record, "POST /pacticipants/user/"),
    ):
        assert refused[0] == 1, refused[1]
        (line,) = error_lines(refused[1])
        assert f"the broker at {broker} (as {READER[0]}) answered 403 to {what}" in line
        assert "read-only" in line
    assert "No pacts or verifications have been published for version c3 of auth" in never_published[1]
    assert verify_only[0] == 0, verify_only[1]
    assert f"{count(pacts)}/{count(pacts)}" in verify_only[1]
    assert judge[0] == 0, judge[1]
    assert "Computer says yes" in judge[1]


@pytest.mark.parametrize(
    "command",
    [
        ["publish", "--pacts-dir", "{pacts}"],
        ["verify", "user"],
        ["can-i-deploy", "-a", "auth", "-e", "c1"],
        ["record-deployment", "-a", "user", "-e", "p1", "--environment", "production"],
        ["pipeline", "--broker-url", "{broker}", "--pacts-dir", "{tmp}"],
    ],
    ids=["publish", "verify", "can-i-deploy", "record-deployment", "pipeline"],
)
def test_a_wrong_password_is_one_line_naming_the_broker_and_401(
    command: list[str], pacts: Path, broker: str, tmp_path: Path
) -> None:
    arguments = [item.format(pacts=pacts, broker=broker, tmp=tmp_path / "pacts") for item in command]

    code, output = solo60(*arguments, env=credentials_environment(broker, WRONG))

    assert code == 1, output
    (line,) = error_lines(output)
    assert f"the broker at {broker} (as {WRONG[0]}) answered 401" in line
    assert "refused the credentials given" in line
    assert not (tmp_path / "pacts").exists(), "the pipeline made pacts before finding the broker refused it"


def test_no_credentials_for_a_broker_that_needs_them_says_none_were_given(pacts: Path, broker: str) -> None:
    code, output = solo60("publish", "--broker-url", broker, "--pacts-dir", str(pacts))

    assert code == 1
    (line,) = error_lines(output)
    assert f"the broker at {broker} answered 401: it refused no credentials (none were given)" in line


@pytest.mark.parametrize(
    "command",
    [["publish", "--pacts-dir", "{pacts}"], ["verify", "user"], ["can-i-deploy", "-a", "auth", "-e", "c1"]],
    ids=["publish", "verify", "can-i-deploy"],
)
def test_a_failing_or_unreachable_broker_is_one_line_naming_it(command: list[str], pacts: Path) -> None:
    arguments = [item.format(pacts=pacts) for item in command]
    with failing_broker() as url:
        failing = solo60(*arguments, "--broker-url", url)
    unreachable = solo60(*arguments, "--broker-url", "http://127.0.0.1:9")

    assert failing[0] == 1, failing[1]
    (line,) = error_lines(failing[1])
    assert f"the broker at {url} answered 503" in line
    assert unreachable[0] == 1, unreachable[1]
    (line,) = error_lines(unreachable[1])
    assert "cannot reach the broker at http://127.0.0.1:9" in line


def test_a_token_and_a_user_together_are_a_usage_error(pacts: Path, broker: str) -> None:
    code, output = solo60(
        "publish", "--broker-url", broker, "--broker-token", "t", *as_flags(WRITER), "--pacts-dir", str(pacts)
    )

    assert code == 2
    (line,) = error_lines(output)
    assert "a token" in line
    assert "not both" in line
