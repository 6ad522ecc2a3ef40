"""Real services on free ports, wired to each other and to a real SMTP server: what the flow tests drive.

`Stack` starts the named services with `running_services` (uvicorn, their own event loop on a
background thread), each on its own fresh database: a SQLite file under the test's directory or
a fresh PostgreSQL schema. Tests talk to them over HTTP as the API gateway would, set data up
through their provider-state routes, and read what only storage shows (the payment ledger, the
outbox) through the services' own storage code.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from solo60.clients import reset_breakers, service_url_variable
from solo60.services import definition
from solo60.services.kit import Database
from solo60.services.kit.server import RunningService, running_services
from solo60.services.kit.settings import DEVELOPMENT_API_KEY, ServiceSettings
from tests.helpers import set_state
from tests.services.communication.smtp_server import ReceivedMail, SmtpServer

WAIT_SECONDS = 30.0

FAST = {
    "SOLO60_ENV": "test",
    "SOLO60_PROVIDER_STATES": "1",
    "OUTBOX_IDLE_SECONDS": "0.05",
    "OUTBOX_RETRY_BASE_SECONDS": "0.05",
    "OUTBOX_RETRY_MAX_SECONDS": "0.2",
    "OUTBOX_MAX_ATTEMPTS": "100",
    "SOLO60_CLIENT_CONNECT_TIMEOUT": "2",  # a connect on a busy CI machine (0.5 s timed out there)
    "SOLO60_CLIENT_ATTEMPT_TIMEOUT": "5",
    "SOLO60_CLIENT_DEADLINE": "10",
    "SOLO60_CLIENT_RETRY_BACKOFF": "0.02",
    "SOLO60_CLIENT_RETRY_MAX_BACKOFF": "0.1",
    "SOLO60_CLIENT_RETRY_JITTER": "0.01",
    "SOLO60_CLIENT_BREAKER_COOL_DOWN": "0.2",
}
"""Quick retries everywhere, so an outage and a recovery take a fraction of a second; follow-ups are
retried until the test's service comes back however long a loaded machine takes to start it."""


@dataclass
class Stack:
    services: dict[str, RunningService]
    environ: dict[str, str]
    smtp: SmtpServer | None = None
    clients: dict[str, httpx.AsyncClient] = field(default_factory=dict)

    def __getitem__(self, name: str) -> httpx.AsyncClient:
        """An HTTP client of the service (wherever the stack's services find it) sending the API key."""
        if name not in self.clients:
            headers = {"x-api-key": DEVELOPMENT_API_KEY, "x-service-name": "gateway"}
            url = self.environ[service_url_variable(name)]
            self.clients[name] = httpx.AsyncClient(base_url=url, headers=headers, timeout=15)
        return self.clients[name]

    async def state(self, service: str, state: str, **params: Any) -> dict[str, Any]:
        return await set_state(self[service], state, **params)

    @asynccontextmanager
    async def database(self, service: str) -> AsyncIterator[Database]:
        """The service's own database, opened beside the running service (to read its rows)."""
        db = definition(service).database(ServiceSettings.from_env(service, self.environ))
        try:
            yield db
        finally:
            await db.dispose()

    async def rows(self, service: str, query: sa.Select[Any]) -> list[sa.Row[Any]]:
        async with self.database(service) as db, db.read() as session:
            return list((await session.execute(query)).all())

    def mails_to(self, address: str) -> list[ReceivedMail]:
        assert self.smtp is not None, "this stack has no mail server"
        return [mail for mail in self.smtp.received if address in mail.envelope_to]

    async def mail_to(self, address: str, subject_part: str) -> ReceivedMail:
        """The one mail to `address` whose subject contains `subject_part`, once it arrived."""

        async def arrived() -> list[ReceivedMail]:
            return [mail for mail in self.mails_to(address) if subject_part in mail.subject]

        [mail] = await eventually(arrived, what=f"a mail to {address} about {subject_part!r}")
        return mail

    async def aclose(self) -> None:
        for client in self.clients.values():
            await client.aclose()


@asynccontextmanager
async def stack_of(
    names: Sequence[str],
    *,
    data_dir: Path,
    database_urls: Mapping[str, str] | None = None,
    smtp: SmtpServer | None = None,
    environ: Mapping[str, str] | None = None,
    ports: Mapping[str, int] | None = None,
) -> AsyncIterator[Stack]:
    """Start `names` wired to each other (and to `smtp`); stop them on exit."""
    env = {**FAST, "SOLO60_DATA_DIR": str(data_dir)}
    if smtp is not None:
        env.update(smtp.environ())
    for name, url in (database_urls or {}).items():
        env[f"{name.upper()}_DATABASE_URL"] = url
    env.update(environ or {})
    reset_breakers()
    starting = running_services(names, environ=env, ports=ports)
    # Start and stop off the test's event loop: the SMTP server the services send to runs on it.
    services = await asyncio.to_thread(starting.__enter__)
    stack = Stack(services, {**env, **{service_url_variable(n): s.url for n, s in services.items()}}, smtp)
    try:
        yield stack
    finally:
        await stack.aclose()
        await asyncio.to_thread(starting.__exit__, None, None, None)
        reset_breakers()


async def eventually(check: Callable[[], Awaitable[Any]], *, within: float = WAIT_SECONDS, what: str = "") -> Any:
    """Poll `check` until it returns something truthy; fail after `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {within:g} s waiting for {what or check}")
        await asyncio.sleep(0.02)


class ReservedPort:
    """A port kept for a service that starts later: bound but not listening, so calls to it are refused
    (the service is down) and no other program can take it meanwhile. `release()` just before starting."""

    def __init__(self) -> None:
        self._socket: socket.socket | None = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self.port = int(self._socket.getsockname()[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def release(self) -> int:
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        return self.port
