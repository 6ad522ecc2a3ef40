"""The real services, started together on free ports, with a real local SMTP server: the stage of every flow test.

Services run under uvicorn in a background thread (`running_services`), each on a fresh
database (SQLite files in the test's data directory, or PostgreSQL schemas); the SMTP server
(aiosmtpd, from the communication suite) runs in the test's own event loop, so starting and
stopping the services happens in a worker thread and the loop keeps answering SMTP. Relays,
dispatchers and clients get test-sized waits, so a retried delivery takes milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from solo60.clients import reset_breakers
from solo60.environment import service_url_variable
from solo60.services import definition
from solo60.services.kit.database import Database
from solo60.services.kit.server import RunningService, bind_socket, running_services
from solo60.services.kit.settings import DEVELOPMENT_API_KEY
from tests.services.communication.smtp_server import ReceivedMail, SmtpServer, eventually

APP_URL = "https://app.solo60.test"

FAST = {
    "SOLO60_ENV": "test",
    "SOLO60_RATE_LIMIT": "100000/minute",
    "SOLO60_APP_URL": APP_URL,
    "OUTBOX_IDLE_SECONDS": "0.05",
    "OUTBOX_RETRY_BASE_SECONDS": "0.05",
    "OUTBOX_RETRY_MAX_SECONDS": "0.2",
    "OUTBOX_MAX_ATTEMPTS": "100",
    "SOLO60_CLIENT_CONNECT_TIMEOUT": "2",  # a connect on a busy CI machine (0.5 s timed out there)
    "SOLO60_CLIENT_ATTEMPT_TIMEOUT": "3",
    "SOLO60_CLIENT_DEADLINE": "6",
    "SOLO60_CLIENT_RETRY_ATTEMPTS": "2",
    "SOLO60_CLIENT_RETRY_BACKOFF": "0.02",
    "SOLO60_CLIENT_RETRY_JITTER": "0.01",
    "SOLO60_CLIENT_BREAKER_COOL_DOWN": "0.2",
}
"""Waits measured in milliseconds: every test-sized knob of relays, dispatchers and clients."""


@dataclass
class Platform:
    """Services that call each other for real, their databases, and the mailbox mail lands in."""

    smtp: SmtpServer
    environ: dict[str, str]
    database_urls: dict[str, str]
    services: dict[str, RunningService] = field(default_factory=dict)
    _stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    _clients: list[httpx.AsyncClient] = field(default_factory=list)
    _databases: dict[str, Database] = field(default_factory=dict)

    async def start(self, names: Sequence[str], *, ports: Mapping[str, int] | None = None) -> None:
        """Start more services; they and the running ones find each other through `<NAME>_SERVICE_URL`."""
        environ = dict(self.environ)
        for name, service in self.services.items():
            environ[service_url_variable(name)] = service.url
        started = await asyncio.to_thread(
            self._stack.enter_context, running_services(list(names), ports=ports, environ=environ)
        )
        self.services.update(started)

    def client(self, name: str) -> httpx.AsyncClient:
        """An authenticated client of a running service, as the API gateway would hold."""
        client = httpx.AsyncClient(
            base_url=self.services[name].url,
            headers={"x-api-key": DEVELOPMENT_API_KEY, "x-service-name": "gateway"},
            timeout=10.0,
        )
        self._clients.append(client)
        return client

    def database(self, name: str) -> Database:
        """The service's own database, to check the rows a flow left (migrated by the service itself)."""
        if name not in self._databases:
            service = definition(name)
            self._databases[name] = Database(
                self.database_urls[name], migrations=service.migrations, version_table=f"{name}_alembic_version"
            )
        return self._databases[name]

    async def mails_to(self, address: str, *, subject: str | None = None) -> list[ReceivedMail]:
        return [
            mail
            for mail in self.smtp.received
            if address in mail.envelope_to and (subject is None or subject in mail.subject)
        ]

    async def mail_to(self, address: str, *, subject: str, within: float = 15.0) -> ReceivedMail:
        """The one mail with `subject` that reached `address`; waits for it, fails if it came twice."""
        await eventually(
            lambda: self.mails_to(address, subject=subject), within=within, what=f"{subject!r} to {address}"
        )
        mails = await self.mails_to(address, subject=subject)
        assert len(mails) == 1, f"{len(mails)} mails {subject!r} reached {address}"
        return mails[0]

    async def close(self) -> None:
        for client in self._clients:
            await client.aclose()
        for database in self._databases.values():
            await database.dispose()
        await asyncio.to_thread(self._stack.close)
        reset_breakers()


def free_port() -> int:
    """A port nothing listens on now, for a service that starts later in the test."""
    sock = bind_socket(0)
    try:
        return int(sock.getsockname()[1])
    finally:
        sock.close()


@contextlib.asynccontextmanager
async def platform_on(
    backend: str, tmp_path: Path, new_postgres_url: Callable[[], str] | None, **environ: Any
) -> AsyncIterator[Platform]:
    """A stage with no services yet: `await platform.start([...])` brings them up."""
    reset_breakers()
    smtp = SmtpServer()
    await smtp.start()
    names = ("auth", "user", "subscription", "payment", "communication")
    if backend == "postgres":
        assert new_postgres_url is not None
        urls = {name: new_postgres_url() for name in names}
    else:
        urls = {name: f"sqlite:///{tmp_path / f'{name}.sqlite'}" for name in names}
    env = {
        **FAST,
        **smtp.environ(),
        "SOLO60_DATA_DIR": str(tmp_path),
        **{f"{name.upper()}_DATABASE_URL": url for name, url in urls.items()},
        **{key: str(value) for key, value in environ.items()},
    }
    platform = Platform(smtp=smtp, environ=env, database_urls=urls)
    try:
        yield platform
    finally:
        await platform.close()
        await smtp.stop()
