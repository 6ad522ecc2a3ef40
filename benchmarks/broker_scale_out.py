"""Does a second broker process on the same PostgreSQL add throughput, and what limits it?

A mixed CI load runs for a fixed time against 1, then 2 `solo60 broker serve` processes on one
PostgreSQL schema seeded with history (`broker_benchmark.seed`): each simulated CI job fetches
pacts for verification, publishes a verification result for one of them, publishes a new consumer
version and asks can-i-deploy. Client threads are spread over the instances as a load balancer
would. Printed: requests per second for each setup and their ratio, and where the CPU went (each
broker process, the PostgreSQL backends serving it, the load generator itself, and the machine
as a whole), which is what says what limits scale-out on this machine.

    python benchmarks/broker_scale_out.py [--seconds 30] [--clients 8] [--versions 1000]
                                          [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import httpx
import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from broker_benchmark import (
    DEFAULT_POSTGRES,
    PACTICIPANTS,
    WIP_WINDOW,
    Dataset,
    _encoded,
    _pact,
    broker_process,
    seed,
)

from broker.storage.database import Database

console = Console(width=160)
APPLICATION_NAME = "solo60-broker-scale-out"
TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of one process so far (0 once it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def _machine_busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, over all cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / TICKS, sum(values) / TICKS


def _broker_pid(url: str) -> int:
    """The pid listening on the broker's port (the `solo60 broker serve` process)."""
    port = int(url.rsplit(":", 1)[1])
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        parts = line.split()
        if parts[3] == "0A" and int(parts[1].split(":")[1], 16) == port:
            inodes.add(parts[9])
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    return int(pid)
        except OSError:
            continue
    raise RuntimeError(f"no process listens on port {port}")


@dataclass
class Load:
    completed: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _ci_job(client: httpx.Client, dataset: Dataset, rng: random.Random, since: str) -> int:
    """One CI run's broker traffic; returns how many requests it made."""
    provider = rng.choice(dataset.names)
    pacts = client.post(
        f"/pacts/provider/{quote(provider)}/for-verification",
        json={
            "consumerVersionSelectors": [{"mainBranch": True}, {"deployedOrReleased": True}],
            "includePendingStatus": True,
            "includeWipPactsSince": since,
            "providerVersionBranch": "main",
        },
    )
    pacts.raise_for_status()
    listed = pacts.json()["_embedded"]["pacts"]
    requests = 1
    if listed:
        pact_url = httpx.URL(rng.choice(listed)["_links"]["self"]["href"])
        pact = client.get(pact_url.raw_path.decode())
        pact.raise_for_status()
        publish_href = httpx.URL(pact.json()["_links"]["pb:publish-verification-results"]["href"])
        result = client.post(
            publish_href.raw_path.decode(),
            json={"success": True, "providerApplicationVersion": f"ci.{uuid.uuid4().hex[:10]}"},
        )
        result.raise_for_status()
        requests += 2
    consumer = rng.choice(dataset.names)
    number = f"ci.{uuid.uuid4().hex[:10]}"
    published = client.post(
        "/contracts/publish",
        json={
            "pacticipantName": consumer,
            "pacticipantVersionNumber": number,
            "branch": "main",
            "contracts": [
                {"consumerName": consumer, "providerName": name, "content": _encoded(_pact(consumer, name, 1))}
                for name in dataset.providers_of[consumer]
            ],
        },
    )
    published.raise_for_status()
    verdict = client.get(
        f"/matrix?q[][pacticipant]={quote(consumer)}&q[][version]={quote(number)}&latestby=cvpv&environment=production"
    )
    verdict.raise_for_status()
    return requests + 2


def drive(urls: list[str], dataset: Dataset, clients: int, seconds: float) -> Load:
    load = Load()
    since = (datetime.now(UTC) - WIP_WINDOW).isoformat()
    deadline = time.monotonic() + seconds

    def client_loop(index: int) -> None:
        rng = random.Random(index)
        with httpx.Client(base_url=urls[index % len(urls)], timeout=60) as client:
            while time.monotonic() < deadline:
                try:
                    made = _ci_job(client, dataset, rng, since)
                except httpx.HTTPError as failure:
                    with load.lock:
                        load.errors.append(str(failure)[:200])
                    continue
                with load.lock:
                    load.completed += made

    threads = [threading.Thread(target=client_loop, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    return load


def _backend_pids(engine: sa.Engine) -> list[int]:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT pid FROM pg_stat_activity WHERE application_name = :name"), {"name": APPLICATION_NAME}
        )
        return [row.pid for row in rows]


@dataclass
class Measurement:
    instances: int
    requests: int
    seconds: float
    broker_cpu: list[float]
    database_cpu: float
    client_cpu: float
    machine_busy: float
    machine_total: float
    errors: list[str]

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds


def measure(database_url: str, dataset: Dataset, instances: int, clients: int, seconds: float) -> Measurement:
    admin = sa.create_engine(database_url)
    with ExitStack() as stack:
        urls = [stack.enter_context(broker_process(database_url)) for _ in range(instances)]
        pids = [_broker_pid(url) for url in urls]
        drive(urls, dataset, clients, 3)  # warm up: pools filled, statements prepared
        backends = _backend_pids(admin)
        before_brokers = [_cpu_seconds(pid) for pid in pids]
        before_backends = {pid: _cpu_seconds(pid) for pid in backends}
        before_client = resource.getrusage(resource.RUSAGE_SELF)
        before_machine = _machine_busy_seconds()
        started = time.monotonic()
        load = drive(urls, dataset, clients, seconds)
        elapsed = time.monotonic() - started
        after_machine = _machine_busy_seconds()
        after_client = resource.getrusage(resource.RUSAGE_SELF)
        broker_cpu = [_cpu_seconds(pid) - before for pid, before in zip(pids, before_brokers, strict=True)]
        database_cpu = sum(_cpu_seconds(pid) - before_backends.get(pid, 0.0) for pid in _backend_pids(admin))
    admin.dispose()
    client_cpu = (after_client.ru_utime + after_client.ru_stime) - (before_client.ru_utime + before_client.ru_stime)
    return Measurement(
        instances,
        load.completed,
        elapsed,
        broker_cpu,
        database_cpu,
        client_cpu,
        after_machine[0] - before_machine[0],
        after_machine[1] - before_machine[1],
        load.errors,
    )


@contextmanager
def seeded_schema(postgres_url: str, versions_per_pacticipant: int) -> Iterator[tuple[str, Dataset]]:
    schema = f"bench_scale_{uuid.uuid4().hex[:6]}"
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in postgres_url else "?"
    url = f"{postgres_url}{separator}options={quote(f'-csearch_path={schema}')}&application_name={APPLICATION_NAME}"
    try:
        database = Database(url)
        database.migrate()
        started = time.perf_counter()
        dataset = seed(database, versions_per_pacticipant, versions_per_pacticipant * 10)
        database.dispose()
        console.print(
            f"seeded {PACTICIPANTS * versions_per_pacticipant:,} versions in {time.perf_counter() - started:.1f} s"
        )
        yield url, dataset
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def report(results: list[Measurement]) -> None:
    table = Table(title="Mixed CI load on one PostgreSQL: 1 vs 2 broker instances")
    for column in (
        "instances",
        "requests/s",
        "errors",
        "broker CPU/s (each)",
        "PostgreSQL CPU/s",
        "load generator CPU/s",
        "machine busy",
    ):
        table.add_column(column, justify="right")
    for item in results:
        per_second = [cpu / item.seconds for cpu in item.broker_cpu]
        table.add_row(
            str(item.instances),
            f"{item.throughput:.1f}",
            str(len(item.errors)),
            " + ".join(f"{value:.2f}" for value in per_second),
            f"{item.database_cpu / item.seconds:.2f}",
            f"{item.client_cpu / item.seconds:.2f}",
            f"{100 * item.machine_busy / item.machine_total:.0f} % of {os.cpu_count()} cores",
        )
    console.print(table)
    one, two = results[0], results[-1]
    console.print(f"throughput ratio, 2 instances / 1: [bold]{two.throughput / one.throughput:.2f}x[/bold]")
    busy = two.machine_busy / two.machine_total
    broker_share = sum(two.broker_cpu) / two.machine_busy if two.machine_busy else 0
    console.print(
        f"with 2 instances the machine was {100 * busy:.0f} % busy; the broker processes used "
        f"{100 * broker_share:.0f} % of that, PostgreSQL {100 * two.database_cpu / two.machine_busy:.0f} %, "
        f"the load generator {100 * two.client_cpu / two.machine_busy:.0f} % (the rest: other work on the machine)."
    )
    if one.broker_cpu and one.broker_cpu[0] / one.seconds > 0.85:
        console.print("one instance ran at ~one full core: a single Python process (GIL) was the first limit.")
    if busy > 0.9:
        console.print("with two the cores were saturated: the limit is the CPU this machine has, not the broker.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30, help="measured seconds per setup")
    parser.add_argument("--clients", type=int, default=8, help="concurrent CI clients")
    parser.add_argument("--versions", type=int, default=1000, help="versions per pacticipant seeded")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    arguments = parser.parse_args()
    if arguments.seconds <= 0 or arguments.clients < 1 or arguments.versions < 100:
        parser.error("--seconds > 0, --clients >= 1, --versions >= 100")
    with seeded_schema(arguments.postgres_url, arguments.versions) as (url, dataset):
        results = []
        for instances in (1, 2):
            console.print(f"running {arguments.seconds:g} s against {instances} instance(s)...")
            results.append(measure(url, dataset, instances, arguments.clients, arguments.seconds))
    report(results)


if __name__ == "__main__":
    main()
