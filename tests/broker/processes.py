"""`solo60 broker serve` as real processes: started (several at once if need be), waited for,
killed. Tests of durability and of several instances on one database drive brokers this way."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx

from tests.broker.support import ROOT


@dataclass
class BrokerProcess:
    process: subprocess.Popen[str]
    url: str = ""
    log: list[str] = field(default_factory=list)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)


def launch(database_url: str, env: Mapping[str, str] | None = None) -> BrokerProcess:
    """Start the process; `wait_until_serving` reads its address once it has migrated."""
    process = subprocess.Popen(
        [sys.executable, "-m", "solo60", "broker", "serve", "--port", "0", "--database-url", database_url],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PACT_DO_NOT_TRACK": "true", **(env or {})},
    )
    return BrokerProcess(process)


def wait_until_serving(broker: BrokerProcess, timeout: float = 30) -> BrokerProcess:
    assert broker.process.stderr is not None
    line = broker.process.stderr.readline()
    if "Pact Broker on " not in line:
        broker.kill()
        raise AssertionError(f"broker did not start: {line}{broker.process.stderr.read()}")
    broker.url = line.split("Pact Broker on ", 1)[1].split(" ", 1)[0]

    def drain() -> None:  # keep the pipe drained, and the log for a failing test's message
        assert broker.process.stderr is not None
        for text in broker.process.stderr:
            broker.log.append(text)

    threading.Thread(target=drain, daemon=True).start()
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{broker.url}/ready", timeout=2).status_code == 200:
                return broker
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            broker.kill()
            raise AssertionError("broker did not become ready")
        time.sleep(0.05)


@contextmanager
def broker_processes(
    database_url: str, count: int = 1, env: Mapping[str, str] | None = None
) -> Iterator[list[BrokerProcess]]:
    """`count` brokers on one database, all started at the same moment; killed on exit."""
    started = [launch(database_url, env) for _ in range(count)]
    try:
        yield [wait_until_serving(broker) for broker in started]
    finally:
        for broker in started:
            broker.kill()
