"""The suites' pytest options reach an authenticated broker as the CLI does.

`pytest consumers/ --publish` and `pytest providers/ --broker-url URL --publish` take the
credentials from `--broker-username/--broker-password/--broker-token` or the `PACT_BROKER_*`
variables: the read-write user publishes, the read-only user is refused where it would write
(one line naming the broker and 403, a failed run), and a wrong password stops the run before
any test with one line naming the broker and 401.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from solo60.harness.broker_access import BrokerAccess
from solo60.harness.made.pact_files import pact_files
from solo60.harness.published.publish import PublishOptions, publish_pacts
from solo60.harness.versions import Revision
from tests.harness.brokers import READER, WRITER, WRONG, authenticated_broker, credentials_environment

ROOT = Path(__file__).resolve().parents[2]
CONSUMER_SUITE = str(ROOT / "consumers" / "auth" / "test_auth_to_user.py")
PROVIDER_SUITE = str(ROOT / "providers" / "test_user.py")


@pytest.fixture(scope="module")
def broker() -> Iterator[str]:
    with authenticated_broker() as url:
        yield url


def run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, broker: str, user, *arguments: str):  # type: ignore[no-untyped-def]
    for name, value in credentials_environment(broker, user).items():
        monkeypatch.setenv(name, value)
    return pytester.runpytest_subprocess(*arguments, "-p", "no:randomly", timeout=240)


def test_consumers_publish_with_the_read_write_user(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, broker: str
) -> None:
    pacts = pytester.path / "pacts"
    result = run(
        pytester, monkeypatch, broker, WRITER,
        CONSUMER_SUITE, "--pacts-dir", str(pacts), "--publish", "--consumer-version", "c1", "--consumer-branch", "main",
    )  # fmt: skip

    assert result.ret == 0, result.stdout.str()[-3000:]
    result.stdout.fnmatch_lines(["*published auth -> user as auth c1 (main)*"])


def test_consumers_publishing_as_the_read_only_user_fail_the_run_naming_the_broker_and_403(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, broker: str
) -> None:
    result = run(
        pytester, monkeypatch, broker, READER,
        CONSUMER_SUITE, "--pacts-dir", str(pytester.path / "pacts"), "--publish", "--consumer-version", "c-ro",
    )  # fmt: skip

    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stdout.str()[-3000:]
    result.stdout.fnmatch_lines(
        [f"error: the broker at {broker} (as {READER[0]}) answered 403 to POST /contracts/publish*read-only*"]
    )
    assert "published auth -> user" not in result.stdout.str()


@pytest.mark.parametrize("suite", [CONSUMER_SUITE, PROVIDER_SUITE], ids=["consumers", "providers"])
def test_a_wrong_password_stops_the_run_before_any_test_naming_the_broker_and_401(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, broker: str, suite: str
) -> None:
    result = run(
        pytester, monkeypatch, broker, WRONG,
        suite, "--pacts-dir", str(pytester.path / "pacts"), "--broker-url", broker, "--publish",
    )  # fmt: skip

    assert result.ret == pytest.ExitCode.USAGE_ERROR, result.stdout.str()[-3000:]
    result.stderr.fnmatch_lines(
        [f"ERROR: the broker at {broker} (as {WRONG[0]}) answered 401*refused the credentials*"]
    )
    assert "passed" not in result.stdout.str()


def test_providers_verify_from_the_broker_and_publish_with_the_read_write_user_and_not_the_read_only_one(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, broker: str, tmp_path: Path
) -> None:
    made = pytester.runpytest_subprocess(CONSUMER_SUITE, "--pacts-dir", str(tmp_path), "-p", "no:randomly")
    assert made.ret == 0, made.stdout.str()[-2000:]
    with BrokerAccess(broker, username=WRITER[0], password=WRITER[1]).client() as client:
        publish_pacts(client, pact_files(tmp_path), PublishOptions(Revision("c-main", "main")))

    written = run(
        pytester, monkeypatch, broker, WRITER,
        PROVIDER_SUITE, "--publish", "--provider-version", "p-rw", "--provider-branch", "main",
    )  # fmt: skip
    refused = run(
        pytester, monkeypatch, broker, READER,
        PROVIDER_SUITE, "--publish", "--provider-version", "p-ro", "--provider-branch", "main",
    )  # fmt: skip
    read = run(pytester, monkeypatch, broker, READER, PROVIDER_SUITE, "--provider-branch", "main")

    assert written.ret == 0, written.stdout.str()[-3000:]
    written.assert_outcomes(passed=1)
    assert refused.ret == pytest.ExitCode.TESTS_FAILED
    refused.stdout.fnmatch_lines([f"*the broker at {broker} (as {READER[0]}) answered 403 to PUT /pacticipants/user/*"])
    read.assert_outcomes(passed=1)
