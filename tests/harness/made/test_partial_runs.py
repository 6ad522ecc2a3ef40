"""A pact file changes only from a complete, passing run of its pair; publish refuses the others.

`-k`, a node id, `--lf` (pytest's cache on) or a failing test leave a pair's pact as the last
complete run wrote it, under xdist too, and the run says so; `solo60 publish` refuses a pact
whose pair's last run was partial or failing, one no complete run wrote, or one changed since,
with the reason, and publishes nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from broker.testing import running_broker
from solo60.cli import app
from solo60.cli.harness import publish as _publish_command  # noqa: F401  (imported before pytester's snapshot)
from solo60.harness.made.pact_files import pact_files
from solo60.harness.published import publish as _publish_step  # noqa: F401

ROOT = Path(__file__).resolve().parents[3]

PAIR_MODULE = """
import os
import pytest
from solo60.clients import UpstreamNotFound, UserClient
from solo60.contracts.errors import ErrorCode
from solo60.harness.made.matchers import error_body

CONSUMER, PROVIDER = "auth", "user"


async def _lookup(contract, user_id):
    (contract.request(f"a lookup of user {user_id}", "GET", f"/internal/users/{user_id}")
        .given("no user exists")
        .will_respond_with(404).with_body(error_body(ErrorCode.NOT_FOUND), content_type="application/json"))
    async with contract.client(UserClient) as users:
        with pytest.raises(UpstreamNotFound):
            await users.get_user(user_id)


async def test_one(contract):
    await _lookup(contract, "1")


async def test_two(contract):
    await _lookup(contract, "2")


async def test_three(contract):
    await _lookup(contract, "3")
    assert os.environ.get("BREAK_THREE") != "1", "the consumer's code changed"
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    """The repository's conftests and one pair module of three tests, with pytest's cache on (for --lf)."""
    pytester.makeconftest((ROOT / "conftest.py").read_text())
    consumers = pytester.mkdir("consumers")
    (consumers / "conftest.py").write_text((ROOT / "consumers" / "conftest.py").read_text())
    (consumers / "test_auth_to_user.py").write_text(PAIR_MODULE)
    pytester.makeini("[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n")
    return pytester


@pytest.fixture(scope="module")
def broker_url() -> Iterator[str]:
    """Module-scoped on purpose: started before `pytester`, which forgets every module first imported
    during its test, so the broker's modules are never imported twice in one process."""
    with running_broker() as url:
        yield url


def consumers(suite: pytest.Pytester, *arguments: str, broken: bool = False) -> pytest.RunResult:
    os.environ.pop("BREAK_THREE", None)
    if broken:
        os.environ["BREAK_THREE"] = "1"
    paths = [] if any(argument.startswith("consumers/") for argument in arguments) else ["consumers"]
    try:
        return suite.runpytest_subprocess(*paths, "--pacts-dir", "pacts", "-p", "asyncio", *arguments)
    finally:
        os.environ.pop("BREAK_THREE", None)


def descriptions(pacts: Path) -> list[str]:
    return sorted(item["description"] for item in json.loads((pacts / "auth-user.json").read_text())["interactions"])


def publish(pacts: Path, broker_url: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, ["publish", "--broker-url", broker_url, "--pacts-dir", str(pacts), "--consumer-version", "c1"]
    )
    return result.exit_code, result.output


ALL = ["a lookup of user 1", "a lookup of user 2", "a lookup of user 3"]


@pytest.mark.parametrize(
    "selection",
    [
        ["-k", "one or two"],
        ["consumers/test_auth_to_user.py::test_one"],
        pytest.param(["-k", "one", "-n", "2"], marks=pytest.mark.slow),
    ],
    ids=["-k", "node id", "-k under xdist"],
)
def test_a_partial_run_leaves_the_pact_of_the_last_complete_run(
    suite: pytest.Pytester, selection: list[str], broker_url: str
) -> None:
    pacts = suite.path / "pacts"
    consumers(suite).assert_outcomes(passed=3)
    before = (pacts / "auth-user.json").read_bytes()

    partial = consumers(suite, *selection)

    assert partial.ret == 0
    assert (pacts / "auth-user.json").read_bytes() == before
    assert descriptions(pacts) == ALL
    partial.stdout.fnmatch_lines(["*auth -> user: not written, its run was partial (* of 3 tests ran and passed)*"])
    code, output = publish(pacts, broker_url)
    assert code == 1, output
    assert "auth -> user: the last run of its tests was partial" in output
    assert "published" not in output


def test_a_failing_run_leaves_the_pact_and_publish_refuses_until_a_complete_run(
    suite: pytest.Pytester, broker_url: str
) -> None:
    pacts = suite.path / "pacts"
    consumers(suite).assert_outcomes(passed=3)
    before = (pacts / "auth-user.json").read_bytes()

    failing = consumers(suite, broken=True)
    refused_after_failing = publish(pacts, broker_url)
    last_failed = consumers(suite, "--lf")
    refused_after_lf = publish(pacts, broker_url)
    complete = consumers(suite)
    published = publish(pacts, broker_url)

    failing.assert_outcomes(passed=2, failed=1)
    failing.stdout.fnmatch_lines(["*auth -> user: not written, its run was failed (1 of 3 tests failed)*"])
    assert refused_after_failing[0] == 1
    assert "the last run of its tests was failing (1 of 3 tests failed)" in refused_after_failing[1]
    last_failed.assert_outcomes(passed=1)
    assert refused_after_lf[0] == 1
    assert "was partial (1 of 3 tests ran and passed)" in refused_after_lf[1]
    assert (pacts / "auth-user.json").read_bytes() == before
    complete.assert_outcomes(passed=3)
    assert published[0] == 0, published[1]
    assert "published auth -> user (3 interactions)" in published[1]


def test_the_real_consumer_suites_keep_every_interaction_under_k(tmp_path: Path) -> None:
    """`pytest consumers/ -k debit` after a full run of session's payment pact leaves it whole."""
    suite = "consumers/session/test_session_to_payment.py"
    run = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "--pacts-dir", str(tmp_path)]
    environ = {**os.environ, "PACT_DO_NOT_TRACK": "true"}
    full = subprocess.run([*run, suite], cwd=ROOT, capture_output=True, text=True, timeout=180, env=environ)
    assert full.returncode == 0, full.stdout[-2000:]
    (before,) = pact_files(tmp_path)

    partial = subprocess.run([*run, suite, "-k", "debit"], cwd=ROOT, capture_output=True, text=True, env=environ)

    assert partial.returncode == 0, partial.stdout[-2000:]
    (after,) = pact_files(tmp_path)
    assert after.interactions == before.interactions == 9
    assert "session -> payment: not written, its run was partial" in partial.stdout
