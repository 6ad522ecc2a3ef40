"""A correlation id set at the edge follows a request through every hop."""

from __future__ import annotations

from solo60 import correlation
from solo60.clients import ClientConfig
from tests.clients.relay import RelayClient, relay_chain


async def test_the_edges_correlation_id_reaches_every_hop_of_a_three_service_chain(user_service_url) -> None:
    async with relay_chain(user_service_url) as front_url, RelayClient(ClientConfig(front_url, caller="edge")) as front:
        token = correlation.correlation_id.set("edge-7f3a")
        try:
            result = await front.relay("nobody")
        finally:
            correlation.correlation_id.reset(token)

    assert [(hop.service, hop.correlation_id) for hop in result.hops] == [
        ("front", "edge-7f3a"),
        ("middle", "edge-7f3a"),
        ("user", "edge-7f3a"),
    ]


async def test_a_chain_started_without_an_id_shares_the_one_its_first_call_made_up(user_service_url) -> None:
    async with relay_chain(user_service_url) as front_url, RelayClient(ClientConfig(front_url, caller="job")) as front:
        result = await front.relay("nobody")

    ids = {hop.correlation_id for hop in result.hops}
    assert len(result.hops) == 3
    assert len(ids) == 1
