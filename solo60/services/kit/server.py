"""Runs services under uvicorn on 127.0.0.1, each on its own pre-bound socket.

The servers run in one background event loop, so a caller (the CLI, a test, the pipeline)
keeps its own thread for waiting on signals or driving clients. Binding the sockets before
starting means port 0 gives each service a free port, and every service knows the others'
URLs before any of them starts.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import uvicorn

from solo60.environment import service_url_variable
from solo60.services import definition
from solo60.services.kit.app import build_app
from solo60.services.kit.settings import ServiceSettings

STARTUP_TIMEOUT_SECONDS = 60.0


class ServiceStartError(RuntimeError):
    """A service did not become ready; the message says which and why."""


@dataclass(frozen=True)
class RunningService:
    name: str
    url: str

    @property
    def docs_url(self) -> str:
        return f"{self.url}/internal/docs"


def bind_socket(port: int = 0, host: str = "127.0.0.1") -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit it: without it, a response written in two parts waits ~40 ms
    # for a delayed ACK (Nagle), which capped a service at 23 requests/s per connection.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise ServiceStartError(f"cannot listen on {host}:{port}: {error.strerror}; choose another port") from None
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


@contextmanager
def running_services(
    names: Sequence[str],
    *,
    ports: Mapping[str, int] | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Mapping[str, object]] | None = None,
    timeout: float = STARTUP_TIMEOUT_SECONDS,
    log_level: str = "warning",
) -> Iterator[dict[str, RunningService]]:
    """Start `names`, wait until each answers `/ready`, yield them, stop them on exit.

    `log_level` is uvicorn's: "error" hides its one warning per malformed request, for runs
    that send them on purpose (fuzzing).
    """
    ports = ports or {}
    overrides = overrides or {}
    sockets = {name: bind_socket(ports.get(name, 0)) for name in names}
    services = {
        name: RunningService(name, f"http://127.0.0.1:{sock.getsockname()[1]}") for name, sock in sockets.items()
    }
    env = dict(os.environ if environ is None else environ)
    for name, service in services.items():
        env.setdefault(service_url_variable(name), service.url)
    try:
        servers = {name: uvicorn.Server(_config(name, env, overrides.get(name, {}), log_level)) for name in names}
    except BaseException:
        for sock in sockets.values():
            sock.close()
        raise
    failures: dict[str, BaseException] = {}
    loop_done = threading.Event()

    async def serve_all() -> None:
        async def serve(name: str) -> None:
            try:
                await servers[name].serve(sockets=[sockets[name]])
            except BaseException as error:
                failures[name] = error
            finally:
                if not servers[name].started:
                    failures.setdefault(name, ServiceStartError(f"{name} stopped during start-up"))

        await asyncio.gather(*(serve(name) for name in names))

    def run_loop() -> None:
        try:
            with asyncio.Runner(loop_factory=_loop_factory()) as runner:
                runner.run(serve_all())
        finally:
            loop_done.set()

    thread = threading.Thread(target=run_loop, name="solo60-services", daemon=True)
    thread.start()
    try:
        _wait_until_ready(services, servers, failures, loop_done, timeout)
        yield services
    finally:
        for server in servers.values():
            server.should_exit = True
        thread.join(timeout=15)
        for sock in sockets.values():
            sock.close()


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop when installed (as uvicorn's own CLI chooses), else the standard loop."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def _config(name: str, env: Mapping[str, str], overrides: Mapping[str, object], log_level: str) -> uvicorn.Config:
    try:
        app = build_app(definition(name), ServiceSettings.from_env(name, env, **overrides))
    except Exception as error:
        raise ServiceStartError(f"the {name} service cannot be built: {error}") from error
    return uvicorn.Config(app, log_level=log_level, access_log=False, lifespan="on", timeout_graceful_shutdown=5)


def _wait_until_ready(
    services: Mapping[str, RunningService],
    servers: Mapping[str, uvicorn.Server],
    failures: Mapping[str, BaseException],
    loop_done: threading.Event,
    timeout: float,
) -> None:
    deadline = time.monotonic() + timeout
    pending = set(services)
    with httpx.Client(timeout=2.0) as client:
        while pending:
            if failures:
                name, error = next(iter(failures.items()))
                raise ServiceStartError(f"the {name} service failed to start: {error!r}") from error
            if loop_done.is_set():
                raise ServiceStartError("the services stopped during start-up; see the log above")
            if time.monotonic() > deadline:
                raise ServiceStartError(f"not ready after {timeout:.0f} s: {', '.join(sorted(pending))}")
            for name in sorted(pending):
                if not servers[name].started:
                    continue
                try:
                    if client.get(f"{services[name].url}/ready").status_code == 200:
                        pending.discard(name)
                except httpx.HTTPError:
                    pass
            if pending:
                time.sleep(0.05)
