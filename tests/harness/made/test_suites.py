"""The pipeline's run of the consumer suites: in-process on the main thread, in a child process otherwise."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from solo60.harness.made.suites import SuiteRun, run_consumer_suites

CONFTEST = """
def pytest_addoption(parser):
    parser.addoption("--pacts-dir")


def pytest_configure(config):
    import os

    os.environ["SUITE_RAN_WITH"] = config.getoption("--pacts-dir")
"""

SUITE = """
def test_one_pair_passes():
    assert True


def test_another_pair_breaks():
    assert 1 + 1 == 3, "the mock answered something else"
"""


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A checkout whose consumer suites (one passing test, one failing) record the pacts folder they were given."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\nasyncio_default_fixture_loop_scope = "function"\n'
    )
    consumers = tmp_path / "consumers"
    consumers.mkdir()
    (consumers / "conftest.py").write_text(CONFTEST)
    (consumers / "test_pairs.py").write_text(SUITE)
    return tmp_path


def test_a_failing_consumer_test_fails_the_run_and_is_named_in_its_output(repository: Path, tmp_path: Path) -> None:
    run = run_consumer_suites(repository, tmp_path / "pacts")

    assert not run.ok
    assert "test_another_pair_breaks" in run.output
    assert "1 failed, 1 passed" in run.output


def test_the_suites_leave_the_callers_environment_and_directory_as_they_were(
    repository: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SUITE_RAN_WITH", raising=False)
    monkeypatch.setenv("PACT_DO_NOT_TRACK", "false")
    directory = Path.cwd()

    run_consumer_suites(repository, tmp_path / "pacts")

    assert "SUITE_RAN_WITH" not in os.environ  # the suite ran here (it set it) and the setting is gone
    assert os.environ["PACT_DO_NOT_TRACK"] == "false"
    assert Path.cwd() == directory


def test_off_the_main_thread_the_suites_run_in_a_child_process_with_the_same_outcome(
    repository: Path, tmp_path: Path
) -> None:
    runs: list[SuiteRun] = []
    worker = threading.Thread(target=lambda: runs.append(run_consumer_suites(repository, tmp_path / "pacts")))
    worker.start()
    worker.join(timeout=120)

    (run,) = runs
    assert not run.ok
    assert "test_another_pair_breaks" in run.output


def test_a_second_run_in_the_same_process_runs_the_tests_as_they_are_now(repository: Path, tmp_path: Path) -> None:
    assert not run_consumer_suites(repository, tmp_path / "pacts").ok

    (repository / "consumers" / "test_pairs.py").write_text(SUITE.replace("1 + 1 == 3", "1 + 1 == 2"))

    run = run_consumer_suites(repository, tmp_path / "pacts")
    assert run.ok, run.output
    assert "2 passed" in run.output
