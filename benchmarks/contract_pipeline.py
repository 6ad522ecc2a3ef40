"""Wall time of `solo60 pipeline` and of each stage, and what verification costs per interaction.

Verification of one interaction is three HTTP exchanges with the provider (provider state
setup, the request itself, teardown) plus the verifier's own matching. It is compared, in the
same run and against the same live provider, with a bare httpx replay of exactly those
exchanges and with a single bare request of the interaction alone.

    python benchmarks/contract_pipeline.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from solo60.harness.made.pact_files import pact_files
from solo60.harness.pipeline import REPOSITORY, PipelineOptions, run_pipeline
from solo60.harness.verified.verification import PROVIDER_STATES_PATH, verify
from solo60.services.kit.server import running_services

STATE_URL = PROVIDER_STATES_PATH


def replay(client: httpx.Client, base_url: str, interaction: dict) -> None:
    """The HTTP exchanges the verifier makes for one interaction, sent with a bare client."""
    states = interaction.get("providerStates") or [{"name": "", "params": {}}]
    for state in states:
        client.post(
            f"{base_url}{STATE_URL}",
            json={"state": state["name"], "params": state.get("params", {}), "action": "setup"},
        )
    request(client, base_url, interaction)
    for state in states:
        client.post(
            f"{base_url}{STATE_URL}",
            json={"state": state["name"], "params": state.get("params", {}), "action": "teardown"},
        )


def request(client: httpx.Client, base_url: str, interaction: dict) -> None:
    wanted = interaction["request"]
    headers = {key: values[0] for key, values in wanted.get("headers", {}).items()}
    body = wanted.get("body", {}).get("content")
    client.request(
        wanted["method"],
        f"{base_url}{wanted['path']}",
        params={key: values[0] for key, values in wanted.get("query", {}).items()},
        headers=headers,
        content=json.dumps(body) if body is not None else None,
    )


def median_seconds(action, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(
    provider: str, url: str, pacts_dir: Path, client: httpx.Client, runs: int
) -> tuple[int, float, float, float]:
    """Interactions, and seconds to verify them, to replay their exchanges bare and to send their requests bare."""
    # HTTP pacts only: a message pact has no exchange to replay bare (its producer builds the message).
    exchanges = {pact.path: _http_interactions(pact.path) for pact in pact_files(pacts_dir, provider=provider)}
    files = [path for path, items in exchanges.items() if items]
    interactions = [item for path in files for item in exchanges[path]]
    verify(provider, url, pacts=files, quiet=True)  # warm up
    verifying = median_seconds(lambda: verify(provider, url, pacts=files, quiet=True), runs)
    replaying = median_seconds(lambda: [replay(client, url, item) for item in interactions], runs)
    requesting = median_seconds(lambda: [request(client, url, item) for item in interactions], runs)
    return len(interactions), verifying, replaying, requesting


def _http_interactions(path: Path) -> list[dict]:
    """A pact's HTTP interactions (those with a request), not its messages."""
    return [item for item in json.loads(path.read_text())["interactions"] if "request" in item]


def row(name: str, count: int, verifying: float, replaying: float, requesting: float) -> list[str]:
    per = 1000 / count
    return [
        name,
        str(count),
        f"{verifying * per:.1f}",
        f"{replaying * per:.1f}",
        f"{verifying / replaying:.2f}x",
        f"{requesting * per:.1f}",
        f"{verifying / requesting:.2f}x",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="repetitions of each verification measurement")
    args = parser.parse_args()
    console = Console()

    pacts_dir = Path(tempfile.mkdtemp(prefix="solo60-bench-pacts-"))
    started = time.perf_counter()
    result = run_pipeline(PipelineOptions(pacts_dir=pacts_dir, console=Console(stderr=True, quiet=True)))
    total = time.perf_counter() - started
    stages = Table(title=f"solo60 pipeline: {total:.1f} s wall ({'green' if result.ok else 'RED'})")
    stages.add_column("stage")
    stages.add_column("seconds", justify="right")
    for kind in dict.fromkeys(stage.kind for stage in result.stages):
        stages.add_row(kind, f"{result.seconds(kind):.2f}")
    stages.add_row("[bold]total[/bold]", f"[bold]{total:.2f}[/bold]")
    console.print(stages)

    costs = Table(title=f"HTTP verification cost per interaction (median of {args.runs} runs, ms)")
    for column in ("provider", "interactions", "verify", "bare replay", "ratio", "bare request", "ratio "):
        costs.add_column(column, justify="left" if column == "provider" else "right")
    environ = {**os.environ, "SOLO60_PROVIDER_STATES": "1", "SOLO60_RATE_LIMIT": "100000000/minute"}
    providers = sorted({pact.provider for pact in pact_files(pacts_dir) if _http_interactions(pact.path)})
    with (
        tempfile.TemporaryDirectory() as data_dir,
        running_services(providers, environ={**environ, "SOLO60_DATA_DIR": data_dir}) as services,
        httpx.Client(timeout=10) as client,
    ):
        totals = [0, 0.0, 0.0, 0.0]
        for provider in providers:
            figures = measure(provider, services[provider].url, pacts_dir, client, args.runs)
            costs.add_row(*row(provider, *figures))
            totals = [total + figure for total, figure in zip(totals, figures, strict=True)]
        costs.add_row(*row("all pacts", int(totals[0]), *totals[1:]), style="bold")
    console.print(costs)
    console.print(f"pacts from {REPOSITORY / 'consumers'}; goals: pipeline <= 30 s, verify <= 2x the bare exchanges")


if __name__ == "__main__":
    main()
