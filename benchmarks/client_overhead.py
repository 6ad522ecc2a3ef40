"""The typed client's overhead per call against a bare `httpx.AsyncClient` call to the same route, in one run.

Starts the user service under uvicorn (on a free port, in a background thread), creates one user,
warms both callers up, then times GET /internal/users/{userId} through each of them, one call at
a time, in interleaved rounds so that drift (CPU frequency, caches, the SQLite page cache) falls
on both alike. The bare call sends the same headers and decodes the JSON; the typed call also
validates its argument, runs the retry and breaker machinery and parses a `User`. Tracing is
off (no exporter configured), as in a service without one. Target: <= 1.15x at p50.

    python benchmarks/client_overhead.py [--calls 4000] [--rounds 20] [--warm-up 300]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable

import httpx
from rich.console import Console
from rich.table import Table

from solo60.clients import ClientConfig, UserClient
from solo60.contracts.user import CreateUser
from solo60.services.kit.server import running_services
from solo60.services.kit.settings import DEVELOPMENT_API_KEY

TARGET_RATIO = 1.15


async def measure(calls: int, rounds: int, warm_up: int, url: str) -> dict[str, list[float]]:
    headers = {"x-api-key": DEVELOPMENT_API_KEY, "x-service-name": "benchmark", "accept": "application/json"}
    async with (
        httpx.AsyncClient(base_url=url, headers=headers) as bare,
        UserClient(ClientConfig(url, caller="benchmark")) as typed,
    ):
        user = await typed.create_user(CreateUser(email=f"bench-{uuid.uuid4().hex[:8]}@example.com", name="Bench"))
        path = f"/internal/users/{user.id}"

        async def bare_call() -> None:
            response = await bare.get(path, headers={"x-correlation-id": str(uuid.uuid4())})
            response.raise_for_status()
            response.json()

        async def typed_call() -> None:
            await typed.get_user(user.id)

        callers: dict[str, Callable[[], Awaitable[None]]] = {"bare httpx": bare_call, "UserClient": typed_call}
        for caller in callers.values():
            for _ in range(warm_up):
                await caller()
        timings: dict[str, list[float]] = {name: [] for name in callers}
        per_round = max(1, calls // rounds)
        for round_number in range(rounds):
            order = list(callers) if round_number % 2 == 0 else list(reversed(callers))
            for name in order:
                caller = callers[name]
                for _ in range(per_round):
                    started = time.perf_counter_ns()
                    await caller()
                    timings[name].append((time.perf_counter_ns() - started) / 1e6)
        return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=4000, help="timed calls per caller")
    parser.add_argument("--rounds", type=int, default=20, help="interleaved rounds the calls are split into")
    parser.add_argument("--warm-up", type=int, default=300, help="untimed calls per caller first")
    args = parser.parse_args()

    environ = {
        "SOLO60_RATE_LIMIT": "100000000/minute",
        "SOLO60_DATA_DIR": tempfile.mkdtemp(prefix="solo60-bench-"),
        "SOLO60_ENV": "test",
    }
    with running_services(["user"], environ=environ) as services:
        timings = asyncio.run(measure(args.calls, args.rounds, args.warm_up, services["user"].url))

    table = Table(title=f"GET /internal/users/{{userId}}: {len(timings['UserClient'])} calls each, one at a time")
    table.add_column("caller")
    table.add_column("p50 ms", justify="right")
    table.add_column("p99 ms", justify="right")
    table.add_column("mean ms", justify="right")
    medians = {}
    for name, samples in timings.items():
        percentiles = statistics.quantiles(samples, n=100)
        medians[name] = statistics.median(samples)
        table.add_row(name, f"{medians[name]:.3f}", f"{percentiles[98]:.3f}", f"{statistics.fmean(samples):.3f}")
    console = Console()
    console.print(table)
    ratio = medians["UserClient"] / medians["bare httpx"]
    overhead_us = (medians["UserClient"] - medians["bare httpx"]) * 1000
    verdict = "[green]within[/green]" if ratio <= TARGET_RATIO else "[red]above[/red]"
    summary = f"ratio at p50: [bold]{ratio:.3f}x[/bold] ({overhead_us:+.0f} µs per call)"
    console.print(f"{summary}, {verdict} the {TARGET_RATIO}x target")


if __name__ == "__main__":
    main()
