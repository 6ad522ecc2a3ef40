"""The booking route's latency against the sum of its upstream calls' latencies, in one run.

`POST /internal/sessions` asks the user service for the member, the gym service for the gym
and the slot's price, and the payment service for the debit, around two transactions of its
own. Each service runs in its own process (`solo60 services up`). Every round books a new
slot, then makes the same four upstream calls itself, with the session service's own
generated clients, so both are measured under the same conditions.

    python benchmarks/booking_latency.py [--rounds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from solo60.clients import ClientConfig, GymClient, PaymentClient, RetryPolicy, UserClient
from solo60.contracts.payment import DebitCredits

KEY = "solo60-dev-key"
SERVICES = ["user", "gym", "payment", "session", "communication"]
USER, GYM = "bench-member", "gym-1"
FIRST_SLOT = datetime(2031, 1, 6, 10, 0, tzinfo=UTC)


async def measure(urls: dict[str, str], rounds: int) -> dict[str, list[float]]:
    headers = {"x-api-key": KEY, "x-service-name": "bench"}
    timings: dict[str, list[float]] = {"booking": [], "user: get member": [], "gym: get gym": []}
    timings |= {"gym: price slot": [], "payment: debit": []}

    def config(service: str) -> ClientConfig:
        return ClientConfig(base_url=urls[service], caller="session", api_key=KEY, retry=RetryPolicy(attempts=1))

    async with (
        httpx.AsyncClient(base_url=urls["session"], headers=headers, timeout=30) as session,
        UserClient(config("user")) as users,
        GymClient(config("gym")) as gyms,
        PaymentClient(config("payment")) as payments,
    ):
        for service, state, params in [
            ("user", "a user exists", {"userId": USER, "email": "bench@example.com", "name": "Bench"}),
            ("gym", "a gym exists", {"gymId": GYM}),
            ("payment", "a user has credits", {"userId": USER, "balance": 1_000_000}),
        ]:
            change = {"state": state, "params": params, "action": "setup"}
            answer = await session.post(f"{urls[service]}/_pact/provider-states", json=change)
            answer.raise_for_status()

        async def timed(name: str, call) -> None:
            started = time.perf_counter()
            await call
            timings[name].append((time.perf_counter() - started) * 1000)

        for number in range(-3, rounds):  # three rounds of warm-up, not counted
            starts_at = FIRST_SLOT + timedelta(days=number + 3)
            body = {"userId": USER, "gymId": GYM, "startsAt": starts_at.isoformat(), "durationMinutes": 60}
            started = time.perf_counter()
            booked = await session.post("/internal/sessions", json=body, headers={"idempotency-key": f"b-{number}"})
            elapsed = (time.perf_counter() - started) * 1000
            if booked.status_code != 201:
                raise SystemExit(f"booking answered {booked.status_code}: {booked.text}")
            calls = {
                "user: get member": users.get_user(USER),
                "gym: get gym": gyms.get_gym(GYM),
                "gym: price slot": gyms.price_slot(GYM, starts_at=starts_at, duration_minutes=60),
                "payment: debit": payments.debit_credits(
                    DebitCredits(user_id=USER, session_id=f"bench-{number}", amount=1),
                    idempotency_key=f"bench-debit-{number}",
                ),
            }
            for name, call in calls.items():
                if number < 0:
                    await call
                else:
                    await timed(name, call)
            if number >= 0:
                timings["booking"].append(elapsed)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="solo60-bench-booking-"))
    env = {
        **os.environ,
        "SOLO60_RATE_LIMIT": "100000000/minute",
        "SOLO60_DATA_DIR": str(data_dir),
        "SOLO60_PROVIDER_STATES": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "solo60", "services", "up", *SERVICES, "--free-ports", "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=(data_dir / "services.log").open("w"),
        text=True,
    )
    try:
        urls = json.loads(process.stdout.readline())
        timings = asyncio.run(measure(urls, args.rounds))
    finally:
        process.terminate()
        process.wait(timeout=60)

    table = Table(title=f"Booking vs its upstream calls ({args.rounds} rounds, one process per service, ms)")
    for column in ("call", "p50", "mean", "p90"):
        table.add_column(column, justify="left" if column == "call" else "right")

    def row(name: str, values: list[float]) -> list[str]:
        ordered = sorted(values)
        p90 = ordered[int(len(ordered) * 0.9) - 1]
        return [name, f"{statistics.median(values):.2f}", f"{statistics.fmean(values):.2f}", f"{p90:.2f}"]

    upstream = [name for name in timings if name != "booking"]
    for name in upstream:
        table.add_row(*row(name, timings[name]))
    summed = [sum(timings[name][index] for name in upstream) for index in range(args.rounds)]
    table.add_row(*row("sum of the upstream calls", summed), style="bold")
    table.add_row(*row("POST /internal/sessions", timings["booking"]), style="bold")
    console = Console()
    console.print(table)
    ratio = statistics.median(timings["booking"]) / statistics.median(summed)
    mean_ratio = statistics.fmean(timings["booking"]) / statistics.fmean(summed)
    console.print(
        f"booking / sum of upstream calls: {ratio:.2f}x at p50, {mean_ratio:.2f}x on the mean (goal <= 1.5x); "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
