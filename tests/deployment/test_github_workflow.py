"""The CI workflow runs: every job's install and commands, for real, against a broker with auth.

`.github/workflows/contracts.yml` is parsed and each job run here as a runner would
(`tests/deployment/github_workflow.py`): a copy of the working tree, a fresh virtual
environment per distinct install line, the job's environment with `${{ }}` evaluated (the
broker's URL and credentials as the repository's variable and secrets, this run as a push to
main), the matrix expanded, `actions/*` steps provided by the runner. A missing dependency, a
wrong flag or a command that fails fails the test, naming the job and the step.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from solo60.services import SERVICE_NAMES
from tests.deployment.github_workflow import (
    Runner,
    WorkflowError,
    checkout,
    describe_failure,
    evaluate,
    job_runs,
    load,
)
from tests.harness.brokers import WRITER, authenticated_broker

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "contracts.yml"
SHA = "5f2b9c1e4d7a8b3c6e0f1a2b3c4d5e6f7a8b9c0d"


def context(broker_url: str) -> dict[str, Any]:
    """This run as a push to main, with the repository's broker variable and secrets."""
    return {
        "github": {"sha": SHA, "ref": "refs/heads/main", "ref_name": "main", "head_ref": "", "event_name": "push"},
        "vars": {"PACT_BROKER_BASE_URL": broker_url},
        "secrets": {"PACT_BROKER_USERNAME": WRITER[0], "PACT_BROKER_PASSWORD": WRITER[1]},
    }


@pytest.fixture
def broker() -> Iterator[str]:
    """The broker CI publishes to, basic auth on, with the production environment its owner created."""
    from solo60.harness.broker_access import BrokerAccess
    from solo60.harness.judged.environments import create_environment

    with authenticated_broker() as url:
        with BrokerAccess(url, username=WRITER[0], password=WRITER[1]).client() as client:
            create_environment(client, "production", production=True)
        yield url


def test_every_provider_with_consumers_verifies_in_the_matrix() -> None:
    runs = [run for run in job_runs(load(WORKFLOW)) if run.job == "provider-verification"]
    providers = sorted(run.matrix["provider"] for run in runs)
    assert providers == sorted(name for name in SERVICE_NAMES if name != "auth")
    for provider in providers:
        assert (ROOT / "providers" / f"test_{provider}.py").exists(), provider


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_the_workflow_runs_every_job_for_real(broker: str, tmp_path: Path, postgres_server_url: str) -> None:
    """The jobs' postgres service is the local server the suite's PostgreSQL fixtures use (127.0.0.1:5432)."""
    if "127.0.0.1:5432" not in postgres_server_url:
        pytest.skip("the workflow's postgres service listens on 127.0.0.1:5432; this machine's server does not")
    runner = Runner(checkout(ROOT, tmp_path / "checkout"), tmp_path, context(broker))

    run = runner.run(load(WORKFLOW))

    assert all(result.returncode == 0 for result in run.results), describe_failure(run)
    ran = {result.job for result in run.results}
    assert {"consumer-pacts", "can-i-deploy", "deploy"} <= ran
    assert {f"provider-verification (provider={name})" for name in SERVICE_NAMES if name != "auth"} <= ran
    assert run.skipped == []
    output = {result.step: result.output for result in run.results}
    assert "No consumer that matters breaks" in output["which consumers would the contract changes break?"]
    assert "Computer says yes" in output["can every service at this commit go to production together?"]
    assert "Computer says yes" in output["the same question with the official CLI"]
    recorded = " ".join(output["record the deployment of every service"].split())
    for service in SERVICE_NAMES:
        assert f"recorded deployment of {service} {SHA} to production" in recorded


MISSING_DEPENDENCY = """
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-python@v5
      - name: run a tool nothing installed
        run: python -c "import xdist"
"""

WRONG_FLAG = """
env:
  WHERE: ${{ vars.PLACE }}
jobs:
  first:
    runs-on: ubuntu-latest
    steps:
      - run: test "$WHERE" = here
  second:
    needs: first
    runs-on: ubuntu-latest
    steps:
      - name: a flag python does not have
        run: python --no-such-flag
"""


def _run(tmp_path: Path, text: str, values: dict[str, Any] | None = None):  # type: ignore[no-untyped-def]
    (tmp_path / "workflow.yml").write_text(text)
    (tmp_path / "checkout").mkdir()
    return Runner(tmp_path / "checkout", tmp_path, values or {}).run(load(tmp_path / "workflow.yml"))


def test_a_missing_dependency_fails_the_run_naming_the_step(tmp_path: Path) -> None:
    run = _run(tmp_path, MISSING_DEPENDENCY)

    assert "lint: step 'run a tool nothing installed' exited 1" in describe_failure(run)
    assert "No module named 'xdist'" in describe_failure(run)


def test_a_wrong_flag_fails_the_run_after_the_jobs_it_needs(tmp_path: Path) -> None:
    run = _run(tmp_path, WRONG_FLAG, {"vars": {"PLACE": "here"}})

    assert [result.returncode for result in run.results] == [0, 2]
    assert "second: step 'a flag python does not have' exited 2" in describe_failure(run)


def test_an_expression_the_run_does_not_provide_is_an_error_not_an_empty_string() -> None:
    values = {"github": {"head_ref": "", "ref_name": "main", "ref": "refs/heads/main"}}

    assert evaluate("github.head_ref || github.ref_name", values) == "main"
    assert evaluate("github.ref == 'refs/heads/main'", values) is True
    with pytest.raises(WorkflowError, match=r"secrets\.TOKEN"):
        evaluate("secrets.TOKEN", values)
