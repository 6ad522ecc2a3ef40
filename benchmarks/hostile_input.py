"""Hostile list sizes against a live broker: how long one request takes, and what it costs others.

A broker (`solo60 broker serve`, SQLite in a temporary directory, its own process) holding one
consumer's pacts gets, one size after another:

* a publish carrying N tags (what one request may make the broker write);
* pacts-for-verification with N consumer version selectors (what one request may make it read);
* with `--contracts N`, a publish of N contracts carrying the most tags (every limit at once);
* while the largest publish runs, an unrelated small publish: how long it waits for the write lock.

Each request is answered or refused (400 naming the limit) and timed; requests past the limits
should be refused at once, and work below them should grow linearly.

    python benchmarks/hostile_input.py [--tags 10,100,1000,10000,100000] [--selectors 10,100,1000,10000]
                                       [--contracts 100]
"""

from __future__ import annotations

import argparse
import base64
import importlib.util
import json
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

console = Console()
TIMEOUT_SECONDS = 300.0
UNRELATED_DELAY_SECONDS = 0.2


def _broker_process() -> Any:
    """`broker_process` of broker_benchmark.py: `solo60 broker serve` on a free port, as its own process."""
    path = Path(__file__).resolve().parent / "broker_benchmark.py"
    spec = importlib.util.spec_from_file_location("broker_benchmark", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["broker_benchmark"] = module
    spec.loader.exec_module(module)
    return module.broker_process


def _pact(consumer: str, provider: str, description: str) -> str:
    document = {
        "consumer": {"name": consumer},
        "provider": {"name": provider},
        "interactions": [
            {
                "type": "Synchronous/HTTP",
                "description": description,
                "request": {"method": "GET", "path": "/thing"},
                "response": {"status": 200},
            }
        ],
        "metadata": {"pactSpecification": {"version": "4.0"}},
    }
    return base64.b64encode(json.dumps(document).encode()).decode()


def _publish_body(consumer: str, version: str, tags: list[str], providers: int = 1) -> dict[str, Any]:
    names = ["api"] + [f"api-{index}" for index in range(1, providers)]
    return {
        "pacticipantName": consumer,
        "pacticipantVersionNumber": version,
        "branch": "main",
        "tags": tags,
        "contracts": [
            {
                "consumerName": consumer,
                "providerName": provider,
                "specification": "pact",
                "contentType": "application/json",
                "content": _pact(consumer, provider, f"request of {version}"),
            }
            for provider in names
        ],
    }


def _timed(client: httpx.Client, method: str, path: str, body: dict[str, Any]) -> tuple[int, float, str]:
    """Status, seconds and the start of the answer; status 0 when no answer came in TIMEOUT_SECONDS."""
    started = time.perf_counter()
    try:
        response = client.request(method, path, json=body)
    except httpx.TimeoutException:
        return 0, time.perf_counter() - started, f"no answer within {TIMEOUT_SECONDS:g} s"
    elapsed = time.perf_counter() - started
    return response.status_code, elapsed, response.text[:160]


def _explain(status: int, text: str) -> str:
    if status == 0:
        return text
    if status < 300:
        return ""
    try:
        errors = json.loads(text).get("errors")
    except ValueError:
        return text[:80]
    if isinstance(errors, dict):
        said = (f"{key}: {value[0] if isinstance(value, list) else value}" for key, value in errors.items())
        return "; ".join(said)[:80]
    return str(errors)[:80]


def _unrelated_publish_during(
    url: str, client: httpx.Client, tag_count: int, contract_count: int, label: str
) -> tuple[tuple[int, float], tuple[int, float]]:
    """(status, seconds) of a small publish started `UNRELATED_DELAY_SECONDS` into a big one, and of the big one."""
    finished: dict[str, tuple[int, float]] = {}

    def big() -> None:
        tags = [f"{label}-{index}" for index in range(tag_count)]
        with httpx.Client(base_url=url, timeout=TIMEOUT_SECONDS) as own:
            status, seconds, _ = _timed(
                own, "POST", "/contracts/publish", _publish_body("web", label, tags, contract_count)
            )
        finished["big"] = (status, seconds)

    thread = threading.Thread(target=big)
    thread.start()
    time.sleep(UNRELATED_DELAY_SECONDS)
    status, elapsed, _ = _timed(client, "POST", "/contracts/publish", _publish_body(f"other-{label}", "1", []))
    thread.join(TIMEOUT_SECONDS)
    return (status, elapsed), finished.get("big", (0, float("nan")))


def run(tag_sizes: list[int], selector_sizes: list[int], contracts: int) -> None:
    broker_process = _broker_process()
    rows: list[tuple[str, str, str, str, str]] = []

    def record(*row: str) -> None:
        rows.append(row)  # type: ignore[arg-type]
        console.print("  " + " | ".join(row), highlight=False)

    with tempfile.TemporaryDirectory(prefix="hostile-input-") as scratch:
        database_url = f"sqlite:///{Path(scratch) / 'broker.sqlite'}"
        with broker_process(database_url) as url, httpx.Client(base_url=url, timeout=TIMEOUT_SECONDS) as client:
            for number in range(3):
                status, _, text = _timed(client, "POST", "/contracts/publish", _publish_body("web", f"{number}", []))
                assert status == 200, text
            console.print(f"broker at {url}; publishing with many tags ...")
            for size in tag_sizes:
                body = _publish_body("web", f"tags-{size}", [f"tag-{index}" for index in range(size)])
                status, elapsed, text = _timed(client, "POST", "/contracts/publish", body)
                record("publish", f"{size:,} tags", str(status), f"{elapsed:.3f}", _explain(status, text))

            if contracts > 1:
                body = _publish_body(
                    "web", "everything", [f"all-{index}" for index in range(max(tag_sizes))], contracts
                )
                status, elapsed, text = _timed(client, "POST", "/contracts/publish", body)
                size = f"{contracts} contracts x {max(tag_sizes):,} tags"
                record("publish", size, str(status), f"{elapsed:.3f}", _explain(status, text))

            big_ones = [(max(tag_sizes), 1)] + ([(max(tag_sizes), contracts)] if contracts > 1 else [])
            for round_number, (tag_count, contract_count) in enumerate(big_ones):
                (status, elapsed), (big_status, big_seconds) = _unrelated_publish_during(
                    url, client, tag_count, contract_count, f"round-{round_number}"
                )
                record(
                    f"unrelated publish, {UNRELATED_DELAY_SECONDS:g} s into one with "
                    f"{contract_count} contract(s) x {tag_count:,} tags",
                    "1 contract",
                    str(status),
                    f"{elapsed:.3f}",
                    f"the big one: {big_status} in {big_seconds:.3f} s",
                )

            console.print("pacts for verification with many selectors ...")
            for size in selector_sizes:
                selectors = [{"branch": f"branch-{index}"} for index in range(size - 1)] + [{"mainBranch": True}]
                body = {"consumerVersionSelectors": selectors, "includePendingStatus": True}
                status, elapsed, text = _timed(client, "POST", "/pacts/provider/api/for-verification", body)
                answer = _explain(status, text)
                record("pacts-for-verification", f"{size:,} selectors", str(status), f"{elapsed:.3f}", answer)

    table = Table(title="One hostile request against the broker (SQLite)")
    for column in ("request", "size", "status", "seconds", "answer"):
        table.add_column(column, justify="right" if column in ("status", "seconds") else "left")
    for row in rows:
        table.add_row(*row)
    console.print(table)


def _sizes(text: str) -> list[int]:
    return [int(item) for item in text.split(",") if item.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tags", default="10,100,1000,10000,100000", help="tag counts to publish, comma-separated")
    parser.add_argument("--selectors", default="10,100,1000,10000", help="selector counts, comma-separated")
    parser.add_argument(
        "--contracts", type=int, default=1, help="also publish this many contracts with the most tags (e.g. 100)"
    )
    arguments = parser.parse_args()
    try:
        tag_sizes, selector_sizes = _sizes(arguments.tags), _sizes(arguments.selectors)
    except ValueError:
        parser.error("--tags and --selectors take whole numbers separated by commas")
    if not tag_sizes or not selector_sizes or min(tag_sizes + selector_sizes) < 1:
        parser.error("--tags and --selectors need at least one size, each at least 1")
    if arguments.contracts < 1:
        parser.error("--contracts is at least 1")
    run(tag_sizes, selector_sizes, arguments.contracts)


if __name__ == "__main__":
    main()
