"""The release gate only reads, and its per-service verdicts follow the broker's own reasons.

A mistyped environment is an error naming the environments the broker has (exit 2 from the
commands), and the broker is left without it; a service the broker has no verified pact for
is never "deployable", whatever its neighbours' rows say.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from solo60.cli import app
from solo60.cli.tables import release_table
from solo60.harness.broker_access import BrokerAccess, BrokerClient
from solo60.harness.judged.environments import UnknownEnvironment, create_environment, environments
from solo60.harness.judged.release_gate import release_gate
from solo60.harness.made.pact_files import pact_files
from solo60.harness.published.publish import PublishOptions, publish_pacts
from solo60.harness.verified.verification import BrokerSource, ResultsPublication, verify
from solo60.harness.versions import Revision
from solo60.services.kit.server import running_services

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrokerClient]:
    """A broker with `production` and `staging`, auth's pact at v1 verified by user v1, and at v2 unverified."""
    from broker.testing import running_broker

    pacts = tmp_path_factory.mktemp("pacts")
    made = subprocess.run(
        [sys.executable, "-m", "pytest", "consumers/auth/test_auth_to_user.py", "-q", "--pacts-dir", str(pacts)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert made.returncode == 0, made.stdout[-2000:]
    data = tmp_path_factory.mktemp("data")
    environ = {"SOLO60_PROVIDER_STATES": "1", "SOLO60_DATA_DIR": str(data)}
    with (
        running_broker() as url,
        BrokerAccess(url).client() as client,
        running_services(["user"], environ=environ) as up,
    ):
        create_environment(client, "production", production=True)
        create_environment(client, "staging", production=False)
        client.put("/pacticipants/gym/branches/main/versions/v0", {})  # gym exists, but not at v1
        client.put("/pacticipants/payment/branches/main/versions/v1", {})  # payment at v1, with no pact at all
        publish_pacts(client, pact_files(pacts), PublishOptions(Revision("v1", "main")))
        report = verify(
            "user",
            up["user"].url,
            broker=BrokerSource(BrokerAccess(url), provider_branch="main"),
            publish=ResultsPublication(Revision("v1", "main")),
            quiet=True,
        )
        assert report.ok, report.describe_failures()
        changed = pacts / "auth-user.json"
        changed.write_text(changed.read_text().replace('"a lookup of a user by email"', '"a lookup, reworded"'))
        from solo60.harness.published.publish import publish_pact

        publish_pact(client, pact_files(pacts)[0], PublishOptions(Revision("v2", "main")))
        client.put("/pacticipants/user/branches/main/versions/v2", {})  # user v2 built, not yet verified
        yield client


def test_an_unknown_environment_is_an_error_naming_the_known_ones_and_is_not_created(broker: BrokerClient) -> None:
    with pytest.raises(UnknownEnvironment) as unknown:
        release_gate(broker, ["auth", "user"], "v1", "prodution")

    assert "no environment 'prodution'" in str(unknown.value)
    assert "production, staging" in str(unknown.value)
    assert sorted(environment.name for environment in environments(broker)) == ["production", "staging"]


@pytest.mark.parametrize(
    "command",
    [
        ["can-i-deploy", "-a", "auth", "-e", "v1", "--to-environment", "prodution"],
        ["pipeline", "--environment", "prodution", "--pacts-dir", "{tmp}"],
    ],
    ids=["can-i-deploy", "pipeline"],
)
def test_the_commands_answer_an_unknown_environment_with_exit_2_naming_the_known_ones(
    broker: BrokerClient, command: list[str], tmp_path: Path
) -> None:
    arguments = [item.format(tmp=tmp_path / "pacts") for item in command]
    result = CliRunner().invoke(app, [*arguments, "--broker-url", broker.base_url])

    assert result.exit_code == 2, result.output
    assert "error: the broker at" in result.output
    assert "no environment 'prodution'; its environments: production, staging" in result.output
    assert "prodution" not in [environment.name for environment in environments(broker)]
    assert not (tmp_path / "pacts").exists(), "the pipeline made pacts before finding the environment unknown"


def test_a_service_with_no_verified_pact_is_never_deployable(broker: BrokerClient) -> None:
    release = release_gate(broker, ["auth", "user", "gym", "payment"], "v1", "production")
    verdicts = {item.pacticipant: item for item in release.pacticipants}

    assert not release.deployable
    assert verdicts["auth"].deployable, verdicts["auth"].reasons
    assert verdicts["user"].deployable, verdicts["user"].reasons
    assert not verdicts["gym"].deployable
    assert verdicts["gym"].reasons == ["No pacts or verifications have been published for version v1 of gym"]
    assert not verdicts["payment"].deployable
    assert verdicts["payment"].reasons


def test_each_service_carries_the_brokers_own_reason_against_it(broker: BrokerClient) -> None:
    release = release_gate(broker, ["auth", "user"], "v2", "production")
    verdicts = {item.pacticipant: item for item in release.pacticipants}
    console = Console(record=True, width=200)
    console.print(release_table(release))
    table = console.export_text()

    assert not release.deployable
    assert not verdicts["auth"].deployable, release.broker.notices
    assert any(
        "There is no verified pact between version v2 of auth and version v2 of user" in reason
        for reason in verdicts["auth"].reasons
    )
    assert not verdicts["user"].deployable
    assert verdicts["user"].reasons == verdicts["auth"].reasons  # the broker's one reason names both
    assert "yes" not in table
    assert "There is no verified pact between" in table
