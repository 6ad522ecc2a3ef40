"""Pacts from parallel workers become one complete pact per pair."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from solo60.harness.made.pact_files import PactMergeError, merge_staged, pact_files, staging_dir

ROOT = Path(__file__).resolve().parents[3]


def staged(pacts_dir: Path, worker: str, *descriptions: str, consumer: str = "auth", provider: str = "user") -> None:
    directory = staging_dir(pacts_dir, "run1", worker)
    directory.mkdir(parents=True, exist_ok=True)
    document = {
        "consumer": {"name": consumer},
        "provider": {"name": provider},
        "interactions": [{"description": text, "providerStates": [], "request": {}} for text in descriptions],
        "metadata": {"pactSpecification": {"version": "4.0"}},
    }
    (directory / f"{consumer}-{provider}.json").write_text(json.dumps(document))


def test_the_workers_interactions_of_one_pair_are_merged_into_one_file(tmp_path: Path) -> None:
    staged(tmp_path, "gw0", "a", "b")
    staged(tmp_path, "gw1", "c")
    staged(tmp_path, "gw1", "x", consumer="session", provider="gym")

    written = merge_staged(tmp_path, "run1")

    assert sorted((pact.pair, pact.interactions) for pact in written) == [("auth -> user", 3), ("session -> gym", 1)]
    assert not (tmp_path / ".staging").exists()
    assert [pact.pair for pact in pact_files(tmp_path, provider="user")] == ["auth -> user"]


def test_a_run_replaces_the_pairs_previous_pact_so_no_stale_interaction_lingers(tmp_path: Path) -> None:
    staged(tmp_path, "main", "old one", "kept")
    merge_staged(tmp_path, "run1")
    staged(tmp_path, "main", "kept")
    merge_staged(tmp_path, "run1")
    descriptions = [i["description"] for i in json.loads((tmp_path / "auth-user.json").read_text())["interactions"]]
    assert descriptions == ["kept"]


def test_two_different_interactions_under_one_description_are_refused(tmp_path: Path) -> None:
    staged(tmp_path, "gw0", "a")
    other = staging_dir(tmp_path, "run1", "gw1")
    other.mkdir(parents=True)
    conflicting = json.loads((staging_dir(tmp_path, "run1", "gw0") / "auth-user.json").read_text())
    conflicting["interactions"][0]["request"] = {"method": "DELETE"}
    (other / "auth-user.json").write_text(json.dumps(conflicting))
    with pytest.raises(PactMergeError, match="'a'"):
        merge_staged(tmp_path, "run1")


def _interactions(pacts_dir: Path) -> dict[str, list[str]]:
    return {
        pact.pair: sorted(i["description"] for i in json.loads(pact.path.read_text())["interactions"])
        for pact in pact_files(pacts_dir)
    }


def _consumers(pacts_dir: Path, *extra: str) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "consumers", "-q", "-p", "no:randomly", "--pacts-dir", str(pacts_dir), *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PACT_DO_NOT_TRACK": "true"},
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout[-3000:]


@pytest.mark.slow
def test_consumer_suites_under_xdist_lose_no_interaction(tmp_path: Path) -> None:
    _consumers(tmp_path / "serial")
    _consumers(tmp_path / "parallel", "-n", "4")

    serial = _interactions(tmp_path / "serial")
    assert serial, "the consumer suites wrote no pact"
    assert _interactions(tmp_path / "parallel") == serial
