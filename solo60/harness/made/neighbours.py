"""The other services a consumer calls on the way to the call under test, live in a consumer test.

A session mail needs the gym's name and the member's name before it goes to the
communication service; a booking checks the member and prices the slot before it debits the
payment service. The consumer test of that last call runs the consumer's code for the whole
way, so the calls before it go to the real services: each in-process on a scratch database,
with provider states on, seeded through its own state-change route as its verification is,
and reached through the generated client (over an in-process transport) the consumer uses.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx

from solo60.clients import BreakerPolicy, ClientConfig, RetryPolicy, ServiceClient
from solo60.harness.made.consumer_database import migrated_sqlite
from solo60.services import definition
from solo60.services.kit.app import build_app
from solo60.services.kit.settings import DEVELOPMENT_API_KEY, ServiceSettings

ClientT = TypeVar("ClientT", bound=ServiceClient)
STATES_PATH = "/_pact/provider-states"


class NeighbourStateError(RuntimeError):
    """A neighbour could not set up the provider state a consumer test asked for."""


class Neighbours:
    """Live services by name: set their states, and get clients to them for the consumer's code."""

    def __init__(self) -> None:
        self.apps: dict[str, Any] = {}

    async def given(self, service: str, state: str, **params: Any) -> dict[str, Any]:
        """Set up `state` in `service`, as the verifier would before an interaction."""
        async with httpx.AsyncClient(transport=self._transport(service), base_url=f"http://{service}") as http:
            response = await http.post(
                STATES_PATH,
                json={"state": state, "params": params, "action": "setup"},
                headers={"x-api-key": DEVELOPMENT_API_KEY},
            )
        if response.status_code != 200:
            raise NeighbourStateError(f"{service}: state {state!r} answered {response.status_code}: {response.text}")
        return dict(response.json() or {})

    def client(self, client_class: type[ClientT], *, caller: str) -> ClientT:
        """The generated client of a neighbour, as `caller` configures it, without retries."""
        service = client_class.service
        config = ClientConfig(
            base_url=f"http://{service}",
            caller=caller,
            retry=RetryPolicy(attempts=1),
            breaker=BreakerPolicy(failures=1000, cool_down=0.1),
        )
        return client_class(config, transport=self._transport(service))

    def _transport(self, service: str) -> httpx.ASGITransport:
        return httpx.ASGITransport(app=self.apps[service])


@asynccontextmanager
async def live_neighbours(names: Sequence[str], directory: Path) -> AsyncIterator[Neighbours]:
    """Start `names` in-process (migrations run, runtimes started) and stop them on exit."""
    neighbours = Neighbours()
    async with AsyncExitStack() as stack:
        for name in names:
            database = await migrated_sqlite(name, directory / f"{name}-neighbour.sqlite")
            settings = ServiceSettings.from_env(
                name,
                {},
                database_url=f"sqlite:///{database}",
                data_dir=directory,
                provider_states=True,
                environment="test",
            )
            app = build_app(definition(name), settings)
            await stack.enter_async_context(app.router.lifespan_context(app))
            neighbours.apps[name] = app
        yield neighbours
