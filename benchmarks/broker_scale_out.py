"""Does a second broker process on the same PostgreSQL add throughput, and what limits it?

A mixed CI load runs against 1 and against 2 `solo60 broker serve` processes on one PostgreSQL
schema seeded with history (`broker_benchmark.seed`), the two setups taking turns in short slices
so that both meet the same load from the rest of this shared machine: each simulated CI job fetches
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
class Setup:
    """One way of serving the load (1 or 2 instances) and what it used over its slices."""

    instances: int
    urls: list[str]
    pids: list[int]
    requests: int = 0
    seconds: float = 0.0
    broker_cpu: list[float] = field(default_factory=list)
    database_cpu: float = 0.0
    client_cpu: float = 0.0
    machine_busy: float = 0.0
    machine_total: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    @property
    def our_share(self) -> float:
        """How much of the machine's busy CPU was this benchmark's (brokers, PostgreSQL, clients)."""
        ours = sum(self.broker_cpu) + self.database_cpu + self.client_cpu
        return ours / self.machine_busy if self.machine_busy else 0.0


def run_slice(setup: Setup, admin: sa.Engine, dataset: Dataset, clients: int, seconds: float) -> None:
    """Drive one setup for `seconds`, adding its requests and CPU to its totals."""
    backends = _backend_pids(admin)
    before_brokers = [_cpu_seconds(pid) for pid in setup.pids]
    before_backends = {pid: _cpu_seconds(pid) for pid in backends}
    before_client = resource.getrusage(resource.RUSAGE_SELF)
    before_machine = _machine_busy_seconds()
    started = time.monotonic()
    load = drive(setup.urls, dataset, clients, seconds)
    setup.seconds += time.monotonic() - started
    after_machine = _machine_busy_seconds()
    after_client = resource.getrusage(resource.RUSAGE_SELF)
    used = [_cpu_seconds(pid) - before for pid, before in zip(setup.pids, before_brokers, strict=True)]
    setup.broker_cpu = [total + more for total, more in zip(setup.broker_cpu or [0.0] * len(used), used, strict=True)]
    setup.database_cpu += sum(_cpu_seconds(pid) - before_backends.get(pid, 0.0) for pid in _backend_pids(admin))
    setup.client_cpu += (after_client.ru_utime + after_client.ru_stime) - (
        before_client.ru_utime + before_client.ru_stime
    )
    setup.machine_busy += after_machine[0] - before_machine[0]
    setup.machine_total += after_machine[1] - before_machine[1]
    setup.requests += load.completed
    setup.errors += load.errors


def measure(database_url: str, dataset: Dataset, clients: int, seconds: float, slices: int) -> list[Setup]:
    """Three broker processes on one database: one serves the 1-instance setup, two the other.
    The setups take turns in short slices, so both see the same (shared, changing) machine."""
    admin = sa.create_engine(database_url)
    with ExitStack() as stack:
        urls = [stack.enter_context(broker_process(database_url)) for _ in range(3)]
        pids = [_broker_pid(url) for url in urls]
        setups = [Setup(1, urls[:1], pids[:1]), Setup(2, urls[1:], pids[1:])]
        for setup in setups:
            drive(setup.urls, dataset, clients, 3)  # warm up: pools filled, statements prepared
        for index in range(slices):
            for setup in setups if index % 2 == 0 else reversed(setups):
                run_slice(setup, admin, dataset, clients, seconds / slices)
    admin.dispose()
    return setups


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


def report(results: list[Setup]) -> None:
    table = Table(title="Mixed CI load on one PostgreSQL: 1 vs 2 broker instances (alternating slices)")
    for column in (
        "instances",
        "requests/s",
        "errors",
        "broker CPU/s (each)",
        "PostgreSQL CPU/s",
        "load generator CPU/s",
        "machine busy",
        "of which this benchmark",
    ):
        table.add_column(column, justify="right")
    for item in results:
        table.add_row(
            str(item.instances),
            f"{item.throughput:.1f}",
            str(len(item.errors)),
            " + ".join(f"{cpu / item.seconds:.2f}" for cpu in item.broker_cpu),
            f"{item.database_cpu / item.seconds:.2f}",
            f"{item.client_cpu / item.seconds:.2f}",
            f"{100 * item.machine_busy / item.machine_total:.0f} % of {os.cpu_count()} cores",
            f"{100 * item.our_share:.0f} %",
        )
    console.print(table)
    one, two = results
    console.print(f"throughput ratio, 2 instances / 1: [bold]{two.throughput / one.throughput:.2f}x[/bold]")
    per_core_one = one.throughput / (sum(one.broker_cpu) / one.seconds or 1)
    per_core_two = two.throughput / (sum(two.broker_cpu) / two.seconds or 1)
    console.print(
        f"requests per broker CPU-second: {per_core_one:.0f} with one instance, {per_core_two:.0f} with two; "
        f"PostgreSQL CPU per request: {1000 * one.database_cpu / max(one.requests, 1):.1f} ms and "
        f"{1000 * two.database_cpu / max(two.requests, 1):.1f} ms."
    )
    busy = two.machine_busy / two.machine_total
    if one.broker_cpu[0] / one.seconds > 0.85:
        console.print("one instance ran at about one full core: one Python process (the GIL) was the first limit.")
    if busy > 0.9:
        console.print(
            f"the cores were {100 * busy:.0f} % busy and this benchmark had {100 * two.our_share:.0f} % of them: "
            "the limit is the CPU left on this shared 2-core machine, which a second process cannot add."
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30, help="measured seconds per setup")
    parser.add_argument("--clients", type=int, default=8, help="concurrent CI clients")
    parser.add_argument("--versions", type=int, default=1000, help="versions per pacticipant seeded")
    parser.add_argument("--slices", type=int, default=6, help="turns the two setups take (alternating)")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    arguments = parser.parse_args()
    if arguments.seconds <= 0 or arguments.clients < 1 or arguments.versions < 100:
        parser.error("--seconds > 0, --clients >= 1, --versions >= 100")
    with seeded_schema(arguments.postgres_url, arguments.versions) as (url, dataset):
        plan = f"{arguments.seconds:g} s per setup, {arguments.slices} alternating slices"
        console.print(f"{plan}, {arguments.clients} clients")
        results = measure(url, dataset, arguments.clients, arguments.seconds, arguments.slices)
    report(results)


if __name__ == "__main__":
    main()
