"""Database statements per request for the broker benchmark's requests: cheap, deterministic, no noise.

On PostgreSQL every statement is a round trip to the server, and at the benchmark's scale the
heavy endpoints spend most of their time waiting on those round trips, so their count is the
first thing to cut and the easiest to keep cut. This seeds a small dataset (the benchmark's own
seeding, at 100 versions per pacticipant), serves it in-process and counts, per request, the
statements the broker sends (including BEGIN/COMMIT and SQLite's pragmas), the connections it
checks out of the pool and its transactions.

    python benchmarks/broker_statements.py [--backends sqlite,postgres] [--only publish] [--show]

`--show` prints each statement of the last request per endpoint (first line, abbreviated).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent))

import broker_benchmark as bench

from broker.api.application import BrokerApplication
from broker.config import BrokerSettings
from broker.storage.database import Database
from broker.testing import BrokerServer

console = Console(width=160)


@dataclass
class Counter:
    """What one request sent to the database."""

    statements: list[str] = field(default_factory=list)
    checkouts: int = 0
    milliseconds: list[float] = field(default_factory=list)
    started: float = 0.0
    raw: list[tuple[str, Any]] = field(default_factory=list)

    def reset(self) -> None:
        self.statements = []
        self.milliseconds = []
        self.raw = []
        self.checkouts = 0


def _counted(database: Database) -> Counter:
    counter = Counter()

    @event.listens_for(database.engine, "before_cursor_execute")
    def _statement(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        counter.statements.append(" ".join(statement.split()))
        counter.raw.append((statement, parameters))
        counter.started = time.perf_counter()

    @event.listens_for(database.engine, "after_cursor_execute")
    def _executed(*_args: Any) -> None:
        counter.milliseconds.append((time.perf_counter() - counter.started) * 1000)

    @event.listens_for(database.engine, "checkout")
    def _checkout(*_args: Any) -> None:
        counter.checkouts += 1

    @event.listens_for(database.engine, "commit")
    def _commit(_conn: Any) -> None:
        counter.statements.append("COMMIT")
        counter.milliseconds.append(0.0)
        counter.raw.append(("COMMIT", None))

    return counter


def _server_times(database: Database, raw: list[tuple[str, Any]]) -> list[str]:
    """PostgreSQL only: each SELECT's planning + execution time on the server (EXPLAIN ANALYZE,
    best of three), which the noise of a shared machine hardly touches."""
    if database.engine.dialect.name != "postgresql":
        return ["" for _ in raw]
    times = []
    with database.engine.connect() as connection:
        for statement, parameters in raw:
            if not statement.lstrip().upper().startswith("SELECT"):
                times.append("")
                continue
            best = None
            for _ in range(3):
                plan = connection.exec_driver_sql(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}", parameters).scalar()
                planning, execution = plan[0]["Planning Time"], plan[0]["Execution Time"]
                if best is None or planning + execution < sum(best):
                    best = (planning, execution)
            assert best is not None
            times.append(f"plan {best[0]:.2f} + {best[1]:.2f}")
        connection.rollback()
    return times


def count(
    database_url: str,
    only: list[str] | None,
    show: bool,
    dataset: bench.Dataset | None = None,
    repeats: int = 3,
) -> dict[str, tuple[float, float]]:
    """(statements, checkouts) per request, averaged over a few requests, per endpoint. Without
    a dataset, seeds a small one first."""
    if dataset is None:
        seeding = Database(database_url)
        seeding.migrate()
        dataset = bench.seed(seeding, 100, 1_000)
        seeding.dispose()
        dataset.page_contract = ("", "")
    database = Database(database_url)
    counter = _counted(database)
    settings = BrokerSettings(database_url=database_url, run_webhook_worker=False, access_log=False)
    server = BrokerServer(BrokerApplication(settings, database=database))
    url = server.start()
    results: dict[str, tuple[float, float]] = {}
    try:
        if dataset.page_contract == ("", ""):
            dataset.page_contract = bench.publish_page_contract(url, dataset)
        operations: dict[str, Callable[[httpx.Client], httpx.Response]] = bench._measure_rounds(url, dataset)
        with httpx.Client(base_url=url, timeout=60) as client:
            for name, operation in operations.items():
                if name != "/health" and only and not any(word in name for word in only):
                    continue
                operation(client)  # warm: first-time caches are not what a busy broker pays
                totals = [0, 0]
                for _ in range(repeats):
                    counter.reset()
                    response = operation(client)
                    if response.status_code >= 300:
                        raise RuntimeError(f"{name} answered {response.status_code}: {response.text[:300]}")
                    totals[0] += len(counter.statements)
                    totals[1] += counter.checkouts
                results[name] = (totals[0] / repeats, totals[1] / repeats)
                if show:
                    console.print(f"[bold]{name}[/bold]")
                    statements, spent = list(counter.statements), list(counter.milliseconds)
                    inside = _server_times(database, list(counter.raw))
                    for text, taken, planned in zip(statements, spent, inside, strict=True):
                        console.print(f"  {taken:7.2f} ms {planned:>18}  {text[:110]}", markup=False, highlight=False)
    finally:
        server.stop()
        database.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--postgres-url", default=bench.DEFAULT_POSTGRES)
    parser.add_argument("--only", default="", help="comma-separated words, as the benchmark's --only")
    parser.add_argument("--show", action="store_true", help="print the statements of each endpoint's last request")
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="requests per endpoint (after one to warm up); psycopg prepares a statement on its 6th run",
    )
    parser.add_argument(
        "--kept",
        type=Path,
        default=None,
        help="the benchmark's --keep directory: count (and time, with --show) on its full dataset instead",
    )
    arguments = parser.parse_args()
    only = [word.strip() for word in arguments.only.split(",") if word.strip()] or None
    table = Table(title="Database statements per request (BEGIN/COMMIT included)")
    for column in ("backend", "endpoint", "statements", "connections"):
        table.add_column(column, justify="left" if column in ("backend", "endpoint") else "right")
    for backend in [item.strip() for item in arguments.backends.split(",") if item.strip()]:
        if arguments.kept is not None:
            label = "full_10000_100000"
            dataset = bench._saved_dataset(bench._dataset_file(arguments.kept, backend, label))
            if dataset is None:
                parser.error(f"no {backend} dataset kept in {arguments.kept}")
            with bench.database_for(backend, arguments.postgres_url, arguments.kept, label, keep=True) as url:
                counted = count(url, only, arguments.show, dataset, arguments.repeats)
                for name, (statements, checkouts) in counted.items():
                    table.add_row(backend, name, f"{statements:g}", f"{checkouts:g}")
            continue
        with (
            tempfile.TemporaryDirectory(prefix="broker-statements-") as scratch,
            bench.database_for(backend, arguments.postgres_url, Path(scratch), "statements") as url,
        ):
            for name, (statements, checkouts) in count(url, only, arguments.show, None, arguments.repeats).items():
                table.add_row(backend, name, f"{statements:g}", f"{checkouts:g}")
    console.print(table)


if __name__ == "__main__":
    main()
