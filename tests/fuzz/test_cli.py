"""`solo60 fuzz` as a user runs it: a table, a verdict in the exit code, a seed to repeat the run."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from solo60.fuzz.live import LiveTargets
from tests.fuzz.broken_app import OPERATION, running_broken_app

ROOT = Path(__file__).resolve().parents[2]


def solo60_fuzz(*arguments: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "solo60", "fuzz", *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "200"},
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
