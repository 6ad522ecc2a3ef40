"""`solo60 contracts breaking` for all seven providers against the project's pacts, timed.

Goal (issue 11): at most 2 s on this machine for the whole command. Three workloads:

* the command as CI runs it (a whole process: the merge-base with main as the base, the
  pacts in `pacts/`), with the document cache cold (both sides rendered from the contracts,
  the base in a child Python from `git archive`) and warm;
* the same with `--base REF`, a ref whose contracts differ (`--base-ref`, default `HEAD~10`);
* in-process, the judgement alone with every provider changed: each component schema of each
  document loses its first property, so every pact is compared with both documents and every
  change is put down to interactions. This is the cost that grows with the pacts.

Pacts are generated with `pytest consumers -q` when `pacts/` has none.

    python benchmarks/contracts_breaking.py [--repeat 5] [--base-ref HEAD~10]
"""

from __future__ import annotations

import argparse
import copy
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
SOLO60 = Path(sys.executable).with_name("solo60")
GOAL_SECONDS = 2.0


def whole_process(arguments: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, the children included) of one `solo60` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([str(SOLO60), *arguments], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        sys.exit(f"solo60 {' '.join(arguments)} failed: {done.stderr.strip()}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def every_model_changed(document: dict) -> dict:
    changed = copy.deepcopy(document)
    for schema in changed.get("components", {}).get("schemas", {}).values():
        properties = schema.get("properties")
        if isinstance(properties, dict) and properties:
            properties.pop(next(iter(properties)))
    return changed


def in_process(repeat: int) -> tuple[float, int, int, int]:
    from solo60.harness.breaking.consumers import local_pacts
    from solo60.harness.breaking.documents import working_tree_documents
    from solo60.harness.breaking.gate import judge

    documents = working_tree_documents(ROOT)
    changed = {name: every_model_changed(document) for name, document in documents.items()}
    pacts = {name: local_pacts(ROOT / "pacts", name) for name in documents}
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        verdicts = [judge(name, documents[name], changed[name], pacts[name]) for name in documents]
        timings.append(time.perf_counter() - started)
    changes = sum(len(verdict.changes) for verdict in verdicts)
    breaking = sum(1 for verdict in verdicts for judged in verdict.changes if not judged.safe)
    interactions = sum(len(pact.content.get("interactions", [])) for found in pacts.values() for pact in found)
    return statistics.median(timings), changes, breaking, interactions


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--base-ref", default="HEAD~10")
    options = parser.parse_args()
    if not list((ROOT / "pacts").glob("*.json")):
        subprocess.run(
            [sys.executable, "-m", "pytest", "consumers", "-q", "-p", "no:cacheprovider"], cwd=ROOT, check=True
        )

    rows = []
    shutil.rmtree(ROOT / ".solo60" / "cache" / "contracts", ignore_errors=True)
    rows.append(("whole command, merge-base, cold cache", *whole_process(["contracts", "breaking"])))
    for label, arguments in (
        ("whole command, merge-base, warm cache", ["contracts", "breaking"]),
        (f"whole command, --base {options.base_ref}", ["contracts", "breaking", "--base", options.base_ref]),
        ("whole command, --json", ["contracts", "breaking", "--json"]),
    ):
        whole_process(arguments)  # warm the cache for this base
        runs = [whole_process(arguments) for _ in range(options.repeat)]
        rows.append((label, statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)))
    judged, changes, breaking, interactions = in_process(options.repeat)

    table = Table(title=f"solo60 contracts breaking, all seven providers (median of {options.repeat})")
    table.add_column("workload")
    table.add_column("wall s", justify="right")
    table.add_column("CPU s", justify="right")
    for label, wall, cpu in rows:
        table.add_row(label, f"{wall:.2f}", f"{cpu:.2f}")
    table.add_row(
        f"in-process judgement, every model changed ({changes} changes, {breaking} breaking, "
        f"{interactions} interactions)",
        f"{judged:.2f}",
        "",
    )
    console = Console(width=140)
    console.print(table)
    warm = rows[1][1]
    verdict = "met" if warm <= GOAL_SECONDS else "MISSED"
    console.print(f"goal: the warm whole command in <= {GOAL_SECONDS:.0f} s: {verdict} ({warm:.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
