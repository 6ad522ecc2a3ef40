"""Run a real broker in-process, for tests and for the contract pipeline.

    from broker.testing import running_broker

    with running_broker() as base_url:              # fresh SQLite file in a temp dir
        subprocess.run(["pact", "broker", "publish", "pacts", "--broker-base-url", base_url, ...])

    with running_broker(database_url="postgresql+psycopg://...") as base_url:
        ...

uvicorn serves on 127.0.0.1 on a free port (port 0) in a background thread; the context
manager waits until `/health` answers and stops the server (and the webhook worker) on exit.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import httpx
import uvicorn

from broker.api.application import BrokerApplication
from broker.config import BrokerSettings

STARTUP_TIMEOUT_SECONDS = 30.0


class BrokerServer:
    """A uvicorn server for one BrokerApplication, in a daemon thread."""

    def __init__(self, application: BrokerApplication, host: str = "127.0.0.1", port: int = 0) -> None:
        self.application = application
        # "error": uvicorn's warnings here are one line per malformed request, which fuzzing sends by design.
        config = uvicorn.Config(application, host=host, port=port, log_level="error", access_log=False, lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="broker-server", daemon=True)
        self.host = host

    @property
    def port(self) -> int:
        for server in self.server.servers:
            for socket in server.sockets:
                return int(socket.getsockname()[1])
        raise RuntimeError("the broker is not listening yet")

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the broker did not start (see the log for the reason)")
            time.sleep(0.01)
        response = httpx.get(f"{self.url}/health", timeout=10)
        response.raise_for_status()
        return self.url

    def empty(self) -> None:
        """Delete all the broker's data, as if it had just started."""
        self.application.database.empty()

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


@contextmanager
def running_broker(
    database_url: str | None = None, *, settings: BrokerSettings | None = None, base_url: str | None = None
) -> Iterator[str]:
    """Yield the base URL of a live broker; a temporary SQLite file when no database URL is given."""
    with running_broker_server(database_url, settings=settings, base_url=base_url) as server:
        yield server.url


@contextmanager
def running_broker_server(
    database_url: str | None = None, *, settings: BrokerSettings | None = None, base_url: str | None = None
) -> Iterator[BrokerServer]:
    """Like `running_broker`, but yield the server, for tests that also empty its database."""
    with tempfile.TemporaryDirectory(prefix="solo60-broker-") as scratch:
        chosen = settings or BrokerSettings()
        url = database_url or chosen.database_url or f"sqlite:///{Path(scratch) / 'broker.sqlite'}"
        chosen = replace(chosen, database_url=url, base_url=base_url or chosen.base_url)
        server = BrokerServer(BrokerApplication(chosen))
        try:
            server.start()
            yield server
        finally:
            server.stop()
