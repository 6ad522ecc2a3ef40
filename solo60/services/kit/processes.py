"""Runs each service in its own process (and, if asked, several uvicorn workers per service).

One busy service then has its own interpreter and its own event loop, and does not slow the
others; `--workers N` gives a service N processes accepting on one socket. The sockets are
bound here, before any child starts, as `server.running_services` does for one process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

import httpx

from solo60.environment import service_url_variable
from solo60.services.kit.server import STARTUP_TIMEOUT_SECONDS, RunningService, ServiceStartError, bind_socket

STOP_TIMEOUT_SECONDS = 15.0


@contextmanager
def service_processes(
    names: Sequence[str],
    *,
    ports: Mapping[str, int] | None = None,
    workers: int = 1,
    environ: Mapping[str, str] | None = None,
    timeout: float = STARTUP_TIMEOUT_SECONDS,
    log_level: str = "warning",
) -> Iterator[dict[str, RunningService]]:
    """Start one process per service in `names`, wait until each answers `/ready`, stop them all on exit."""
    ports = ports or {}
    sockets = {}
    try:
        for name in names:
            sockets[name] = bind_socket(ports.get(name, 0))
    except BaseException:
        for sock in sockets.values():
            sock.close()
        raise
    services = {
        name: RunningService(name, f"http://127.0.0.1:{sock.getsockname()[1]}") for name, sock in sockets.items()
    }
    env = dict(os.environ if environ is None else environ)
    for name, service in services.items():
        env.setdefault(service_url_variable(name), service.url)
    processes: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for name in names:
            fd = sockets[name].fileno()
            command = [sys.executable, "-m", "solo60.services.serve_one", name, "--fd", str(fd)]
            command += ["--workers", str(workers), "--log-level", log_level]
            processes[name] = subprocess.Popen(command, env={**env, "SOLO60_SERVICE": name}, pass_fds=[fd])
        _wait_until_ready(services, processes, timeout)
        yield services
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for sock in sockets.values():
            sock.close()


def _wait_until_ready(
    services: Mapping[str, RunningService], processes: Mapping[str, subprocess.Popen[bytes]], timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    pending = set(services)
    with httpx.Client(timeout=2.0) as client:
        while pending:
            for name in sorted(pending):
                code = processes[name].poll()
                if code is not None:
                    raise ServiceStartError(
                        f"the {name} service exited during start-up (code {code}); see its log above"
                    )
                try:
                    if client.get(f"{services[name].url}/ready").status_code == 200:
                        pending.discard(name)
                except httpx.HTTPError:
                    pass
            if pending:
                if time.monotonic() > deadline:
                    raise ServiceStartError(f"not ready after {timeout:.0f} s: {', '.join(sorted(pending))}")
                time.sleep(0.05)
