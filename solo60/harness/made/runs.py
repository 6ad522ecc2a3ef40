"""Which pairs a consumer run made completely, and so which pact files it may write.

A pact is the record of every interaction a consumer's tests declare for one provider; a run
that ran only some of a pair's tests (`-k`, `--lf`, a node id) or in which one of them failed
holds only part of that record, and writing it would publish a pact with interactions missing.
So a run tracks, per pair, every test collected for it (before any deselection) and how each
ended, and only a pair whose tests all ran and passed gets its pact file rewritten.

The manifest beside the pacts (`pacts/.manifest/pairs.json`, in a folder so that nothing
reading `pacts/*.json` mistakes it for a pact) keeps, per pair, how its last run went and the
digest of the file its last complete run wrote. `solo60 publish` reads it and refuses a pact
whose last run was partial or failing, that no complete run wrote, or that changed since.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from solo60.harness.made.pact_files import PactFile, pact_file_name, write_atomically

MANIFEST = Path(".manifest") / "pairs.json"
Outcome = Literal["complete", "partial", "failed"]


@dataclass
class PairRun:
    """One pair's tests in one run: how many were collected, how many passed and how many failed."""

    consumer: str
    provider: str
    collected: set[str] = field(default_factory=set)
    passed: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)
    unexpanded: set[str] = field(default_factory=set)
    """Groups of tests (a class) the run never looked inside: their tests are unknown, so not run."""

    @property
    def pair(self) -> str:
        return f"{self.consumer} -> {self.provider}"

    @property
    def file_name(self) -> str:
        return pact_file_name(self.consumer, self.provider)

    @property
    def outcome(self) -> Outcome:
        if self.failed & self.collected:
            return "failed"
        return "complete" if self.collected <= self.passed and not self.unexpanded else "partial"

    def describe(self) -> str:
        """`9 of 9 tests passed`, `3 of 9 tests ran and passed`, `1 of 9 tests failed`."""
        total = f"{len(self.collected)}{'+' if self.unexpanded else ''}"
        if self.outcome == "failed":
            return f"{len(self.failed & self.collected)} of {total} tests failed"
        if self.outcome == "partial":
            return f"{len(self.passed & self.collected)} of {total} tests ran and passed"
        return f"{total} of {total} tests passed"


class RunTracker:
    """Collects, over one pytest run, which consumer tests belong to which pair and how each ended."""

    def __init__(self) -> None:
        self._pair_of: dict[str, tuple[str, str]] = {}
        self._groups: dict[str, tuple[str, str]] = {}
        self._expanded: set[str] = set()
        self._passed: set[str] = set()
        self._failed: set[str] = set()

    def collected(self, test_id: str, consumer: str, provider: str) -> None:
        self._pair_of[test_id] = (consumer, provider)

    def collected_group(self, group_id: str, consumer: str, provider: str) -> None:
        """A group of the pair's tests (a class) found in a module; its tests count once it is expanded."""
        self._groups[group_id] = (consumer, provider)

    def expanded(self, group_id: str) -> None:
        self._expanded.add(group_id)

    def collected_tests(self) -> dict[str, Any]:
        """What a worker passes on to the process that writes the pacts."""
        return {
            "tests": {test_id: list(pair) for test_id, pair in self._pair_of.items()},
            "groups": {group_id: list(pair) for group_id, pair in self._groups.items()},
            "expanded": sorted(self._expanded),
        }

    def add_collected(self, collected: Mapping[str, Any]) -> None:
        for test_id, (consumer, provider) in collected.get("tests", {}).items():
            self.collected(test_id, consumer, provider)
        for group_id, (consumer, provider) in collected.get("groups", {}).items():
            self.collected_group(group_id, consumer, provider)
        self._expanded.update(collected.get("expanded", []))

    def reported(self, test_id: str, when: str, outcome: str) -> None:
        """One phase's report (setup, call, teardown): a test passed when its call passed and nothing failed."""
        if outcome == "failed":
            self._failed.add(test_id)
        elif when == "call" and outcome == "passed":
            self._passed.add(test_id)

    def runs(self) -> list[PairRun]:
        by_pair: dict[tuple[str, str], PairRun] = {}
        for test_id, (consumer, provider) in self._pair_of.items():
            run = by_pair.setdefault((consumer, provider), PairRun(consumer, provider))
            run.collected.add(test_id)
            if test_id in self._failed:
                run.failed.add(test_id)
            elif test_id in self._passed:
                run.passed.add(test_id)
        for group_id, (consumer, provider) in self._groups.items():
            if group_id not in self._expanded:
                by_pair.setdefault((consumer, provider), PairRun(consumer, provider)).unexpanded.add(group_id)
        return [by_pair[key] for key in sorted(by_pair)]


@dataclass
class RunManifest:
    """The record beside the pacts of how each pair's last run went and what its last complete run wrote."""

    pacts_dir: Path
    pairs: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, pacts_dir: Path) -> RunManifest:
        path = pacts_dir / MANIFEST
        try:
            document = json.loads(path.read_text())
        except FileNotFoundError:
            return cls(pacts_dir)
        except ValueError:
            return cls(pacts_dir)  # unreadable: as if no run had been recorded, so nothing is trusted
        return cls(pacts_dir, dict(document.get("pairs", {})))

    def record(self, run: PairRun, written: PactFile | None) -> None:
        """This run of the pair; `written` is the pact file it wrote (only a complete run writes one)."""
        entry = dict(self.pairs.get(run.file_name, {}))
        entry.update(consumer=run.consumer, provider=run.provider)
        entry["lastRun"] = {
            "at": _now(),
            "outcome": run.outcome,
            "tests": len(run.collected),
            "passed": len(run.passed & run.collected),
            "failed": len(run.failed & run.collected),
            "summary": run.describe(),
        }
        if written is not None:
            entry["written"] = {
                "at": entry["lastRun"]["at"],
                "sha256": digest(written.path),
                "interactions": written.interactions,
                "tests": len(run.collected),
            }
        self.pairs[run.file_name] = entry

    def save(self) -> None:
        path = self.pacts_dir / MANIFEST
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, json.dumps({"pairs": self.pairs}, indent=2, sort_keys=True) + "\n")

    def refusal(self, pact: PactFile) -> str | None:
        """Why this pact may not be published, or None when the last run of its pair wrote it complete."""
        name = pact.path.name
        entry = self.pairs.get(name)
        rerun = f"run all of its tests (`pytest consumers/{pact.consumer}`) and publish again"
        if entry is None or "written" not in entry:
            return f"{pact.pair}: {name} was not written by a complete run of its consumer tests; {rerun}"
        last = entry.get("lastRun", {})
        if last.get("outcome") != "complete":
            kind = "failing" if last.get("outcome") == "failed" else "partial"
            return (
                f"{pact.pair}: the last run of its tests was {kind} ({last.get('summary', '?')}), so {name} is "
                f"from an earlier run ({entry['written']['at']}) and may not match the consumer's code; {rerun}"
            )
        if entry["written"].get("sha256") != digest(pact.path):
            return f"{pact.pair}: {name} changed after the complete run that wrote it; {rerun}"
        return None


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
