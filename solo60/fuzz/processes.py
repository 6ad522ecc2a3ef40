"""The services in a child process: their work and the fuzzer's then run on different cores.

In one process the servers and Schemathesis share one interpreter lock, and a fuzz run over
all seven services took twice as long; `solo60 services up --free-ports --json` in a child
prints the URLs once every service answers `/ready`, and stops them all on SIGTERM.
"""

from __future__ import annotations

import json
import select
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from solo60.services.kit.server import STARTUP_TIMEOUT_SECONDS, ServiceStartError

STOP_TIMEOUT_SECONDS = 15.0


@contextmanager
def services_in_child_process(
    environ: Mapping[str, str], log_path: Path, *, timeout: float = STARTUP_TIMEOUT_SECONDS
) -> Iterator[dict[str, str]]:
    """Yield {service: base URL} of the seven services running in a child process; stop it on exit."""
    with log_path.open("w") as log:
        child = subprocess.Popen(
            # One process for the seven: one interpreter to start (a process each took four times as
            # long to come up), and the fuzzer's work still runs on the other core.
            [sys.executable, "-m", "solo60", "services", "up", "--free-ports", "--json", "--one-process"],
            env=dict(environ),
            stdout=subprocess.PIPE,
            stderr=log,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        try:
            yield _announced_urls(child, log_path, timeout)
        finally:
            child.terminate()
            try:
                child.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            if child.stdout is not None:
                child.stdout.close()


def _announced_urls(child: subprocess.Popen[str], log_path: Path, timeout: float) -> dict[str, str]:
    assert child.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        readable, _, _ = select.select([child.stdout], [], [], 0.2)
        if readable:
            line = child.stdout.readline()
            if line:
                try:
                    return dict(json.loads(line))
                except ValueError:
                    break
        if child.poll() is not None:
            break
    raise ServiceStartError(f"the services did not start (see {log_path}): {_tail(log_path)}")


def _tail(path: Path, lines: int = 5) -> str:
    try:
        return " | ".join(path.read_text(errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return "no log"
