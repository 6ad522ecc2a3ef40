"""A scripted provider on a free port, clients of it with test-sized policies, and the real user service."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from solo60.clients import BreakerPolicy, ClientConfig, RetryPolicy, Timeouts, reset_breakers
from solo60.services.kit.server import running_services
from tests.clients.probe import ProbeClient
from tests.clients.scripted import ScriptedProvider, serving

FAST = {
    "timeouts": Timeouts(connect=2.0, attempt=1.0, deadline=3.0),
    "retry": RetryPolicy(attempts=3, backoff=0.02, max_backoff=0.2, jitter=0.01),
    "breaker": BreakerPolicy(failures=50, cool_down=1.0),
}
"""Small waits so retries take milliseconds (but a connect that outlasts a busy CI machine); a breaker that
stays out of the way unless a test sets one."""


@pytest.fixture(autouse=True)
def fresh_breakers() -> Iterator[None]:
    """A test's servers may get a port an earlier test left with an open circuit."""
    reset_breakers()
    yield
    reset_breakers()


@pytest.fixture
async def provider() -> AsyncIterator[ScriptedProvider]:
    scripted = ScriptedProvider()
    async with serving(scripted) as url:
        scripted.url = url
        yield scripted


ProbeFactory = Callable[..., Any]


@pytest.fixture
async def probe(provider: ScriptedProvider) -> AsyncIterator[ProbeFactory]:
    """`probe(retry=RetryPolicy(...))`: a client of the scripted provider, closed after the test."""
    clients: list[Any] = []

    def make(url: str | None = None, **policies: Any) -> Any:
        client = ProbeClient(ClientConfig(url or provider.url, caller="tests", **{**FAST, **policies}))
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture(scope="module")
def user_service_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real user service under uvicorn on a free port, on a fresh SQLite file."""
    data_dir: Path = tmp_path_factory.mktemp("user-service")
    with running_services(["user"], environ={"SOLO60_DATA_DIR": str(data_dir), "SOLO60_ENV": "test"}) as services:
        yield services["user"].url
