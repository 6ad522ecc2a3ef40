"""Providers that call providers: a chain of real services, each calling the next with the clients.

`relay_chain(user_url)` runs front -> middle -> the user service. Each relay hop records the
correlation id it served under, then calls the next hop; the middle one asks the user service
for an unknown user, whose 404 error body reports the correlation id the user service saw.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI

from solo60 import correlation, tracing
from solo60.clients import ClientConfig, UpstreamNotFound, UserClient
from solo60.contracts.models import Id, ResponseModel
from solo60.contracts.route import Contract, Route
from solo60.services.kit.correlation import CorrelationMiddleware
from tests.clients.generated import client_for
from tests.clients.scripted import serving


class Hop(ResponseModel):
    service: str
    correlation_id: str


class Hops(ResponseModel):
    hops: list[Hop]


class RelayContract(Contract):
    service = "relay"
    title = "relay service (tests)"

    relay = Route(
        "GET", "/internal/relay/{userId}", summary="Look a user up through the next service", responses={200: Hops}
    )


RelayClient = client_for(RelayContract)
NextHop = Callable[[Id], Awaitable[list[Hop]]]


def relay_app(name: str, next_hop: NextHop) -> FastAPI:
    """A provider that serves `relay` by calling `next_hop`, with the kit's correlation handling."""
    app = FastAPI()

    @app.get("/internal/relay/{user_id}")
    async def relay(user_id: str) -> dict[str, object]:
        served_under = correlation.correlation_id.get()
        assert served_under is not None
        hops = [Hop(service=name, correlation_id=served_under), *await next_hop(user_id)]
        return Hops(hops=hops).model_dump(mode="json")

    app.add_middleware(CorrelationMiddleware)
    tracing.instrument_app(app, name)
    return app


def through_relay(client: object) -> NextHop:
    async def call(user_id: Id) -> list[Hop]:
        return (await client.relay(user_id)).hops  # type: ignore[attr-defined]

    return call


def through_user_service(users: UserClient) -> NextHop:
    async def call(user_id: Id) -> list[Hop]:
        try:
            await users.get_user(user_id)
        except UpstreamNotFound as error:
            return [Hop(service="user", correlation_id=str(error.correlation_id))]
        raise AssertionError(f"user {user_id} exists; relay an unknown one")

    return call


@asynccontextmanager
async def relay_chain(user_url: str) -> AsyncIterator[str]:
    """front -> middle -> user, each a real server; yields the front's URL."""
    async with (
        UserClient(ClientConfig(user_url, caller="middle")) as users,
        serving(relay_app("middle", through_user_service(users))) as middle_url,
        RelayClient(ClientConfig(middle_url, caller="front")) as middle,
        serving(relay_app("front", through_relay(middle))) as front_url,
    ):
        yield front_url
