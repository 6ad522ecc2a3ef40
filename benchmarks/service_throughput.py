"""Requests/s and p50/p99 of a Solo60 read and write route against a bare FastAPI route, in one run.

Each server runs in its own process under uvicorn (one worker); `wrk` (Debian package) drives
them one after the other with the same connections and duration. The service pays for its
conventions (auth, correlation, rate limit, access log, validation) and its database; the
hello-world route pays for nothing, so the ratio is the price of being a real service.

    python benchmarks/service_throughput.py [--duration 5] [--connections 16] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

KEY = "solo60-dev-key"
HERE = Path(__file__).resolve().parent

CREATE_USERS_LUA = """
counter = 0
request = function()
  counter = counter + 1
  local body = '{"email":"bench-RUN-' .. counter .. '-' .. math.random(1, 1000000000) .. '@example.com","name":"Bench"}'
  return wrk.format("POST", "/internal/users", nil, body)
end
"""


@dataclass
class Result:
    name: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int = 0
    cpu_seconds: float = 0.0

    @property
    def cpu_us_per_request(self) -> float:
        """Server CPU per request: what throughput would be on an idle core, whatever else runs here."""
        return self.cpu_seconds / max(self.requests, 1) * 1e6


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and all its descendants, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        total += times.get(current, 0.0)
        pending.extend(children.get(current, []))
    return total


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer within {timeout} s")


def run_wrk(
    name: str,
    url: str,
    *,
    duration: int,
    connections: int,
    headers: dict[str, str],
    script: Path | None,
    server_pid: int | None = None,
) -> Result:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency"]
    for key, value in headers.items():
        command += ["-H", f"{key}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    cpu_before = cpu_seconds(server_pid) if server_pid else 0.0
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    cpu_used = cpu_seconds(server_pid) - cpu_before if server_pid else 0.0
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _latency_ms(re.search(r"\s50%\s+([\d.]+\w+)", output).group(1))
    p99 = _latency_ms(re.search(r"\s99%\s+([\d.]+\w+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return Result(name, rps, p50, p99, int(errors.group(1)) if errors else 0, requests, cpu_used)


def _latency_ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--database-url", default=None, help="user service database (default: a SQLite file)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("this benchmark needs wrk: apt-get install wrk")

    console = Console()
    data_dir = Path(tempfile.mkdtemp(prefix="solo60-bench-"))
    env = {**os.environ, "SOLO60_RATE_LIMIT": "100000000/minute", "SOLO60_DATA_DIR": str(data_dir)}
    if args.database_url:
        env["USER_DATABASE_URL"] = args.database_url
        # A pool smaller than the requests in flight opens and closes a PostgreSQL connection per
        # request beyond it (its overflow), which costs more than the query: size it to the load.
        env.setdefault("SOLO60_DB_POOL_SIZE", str(args.connections + 4))
    hello_port = free_port()
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "hello_app:app",
                "--port",
                str(hello_port),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            cwd=HERE,
        ),
        subprocess.Popen(
            [sys.executable, "-m", "solo60", "services", "up", "user", "--free-ports", "--json"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=(data_dir / "access.log").open("w"),
            text=True,
        ),
    ]
    try:
        user_url = json.loads(processes[1].stdout.readline())["user"]
        hello_url = f"http://127.0.0.1:{hello_port}/hello"
        wait_ready(hello_url)
        headers = {"x-api-key": KEY, "x-service-name": "bench", "content-type": "application/json"}
        seeded = httpx.post(
            f"{user_url}/internal/users",
            json={"email": f"seed-{uuid.uuid4().hex[:12]}@example.com", "name": "Seed"},
            headers=headers,
        )
        seeded.raise_for_status()
        script = data_dir / "create_users.lua"
        script.write_text(CREATE_USERS_LUA.replace("RUN", uuid.uuid4().hex[:12]))  # PostgreSQL keeps earlier runs

        common = {"duration": args.duration, "connections": args.connections}
        console.print(f"warming up, then {args.duration} s per route with {args.connections} connections…")
        run_wrk("warm-up", hello_url, duration=1, connections=4, headers={}, script=None)
        run_wrk(
            "warm-up",
            f"{user_url}/internal/users/{seeded.json()['id']}",
            duration=1,
            connections=4,
            headers=headers,
            script=None,
        )
        results = [
            run_wrk(
                "bare FastAPI GET /hello", hello_url, headers={}, script=None, server_pid=processes[0].pid, **common
            ),
            run_wrk(
                "user GET /internal/users/{userId}",
                f"{user_url}/internal/users/{seeded.json()['id']}",
                headers=headers,
                script=None,
                server_pid=processes[1].pid,
                **common,
            ),
            run_wrk(
                "user POST /internal/users",
                f"{user_url}/internal/users",
                headers=headers,
                script=script,
                server_pid=processes[1].pid,
                **common,
            ),
        ]
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)

    baseline = results[0]
    backend = "PostgreSQL" if args.database_url else "SQLite"
    pool = f", pool {env['SOLO60_DB_POOL_SIZE']}" if args.database_url else ""
    title = f"Service throughput vs bare FastAPI (uvicorn, 1 worker, {backend}{pool}, wrk -c{args.connections})"
    table = Table(title=title)
    columns = (
        "route",
        "req/s",
        "p50 ms",
        "p99 ms",
        "non-2xx",
        "req/s vs bare",
        "p99 vs bare",
        "CPU µs/req",
        "CPU vs bare",
    )
    for column in columns:
        table.add_column(column, justify="right" if column != "route" else "left")
    for result in results:
        table.add_row(
            result.name,
            f"{result.requests_per_second:,.0f}",
            f"{result.p50_ms:.2f}",
            f"{result.p99_ms:.2f}",
            str(result.errors),
            f"{result.requests_per_second / baseline.requests_per_second:.2f}x",
            f"{result.p99_ms / baseline.p99_ms:.2f}x",
            f"{result.cpu_us_per_request:,.0f}",
            f"{baseline.cpu_us_per_request / result.cpu_us_per_request:.2f}x",
        )
    console.print(table)
    console.print(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores. 'CPU vs bare' is bare's server CPU per "
        "request over the route's: the throughput ratio one idle core would show, however busy this machine is."
    )


if __name__ == "__main__":
    main()
