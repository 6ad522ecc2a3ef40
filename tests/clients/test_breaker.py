"""The circuit breaker: open after consecutive failures, fail fast, probe once after the cool-down."""

from __future__ import annotations

import asyncio

import pytest

from solo60.clients import (
    BreakerPolicy,
    CircuitOpen,
    CircuitState,
    ServiceCallError,
    UpstreamInternalError,
    UpstreamNotFound,
)
from tests.clients.probe import THING
from tests.clients.scripted import Answer, error

FAILING = error(500, "INTERNAL")  # not retried, so one call is one failure


async def fail(client, times: int) -> None:
    for _ in range(times):
        with pytest.raises(UpstreamInternalError):
            await client.get_thing("t-1")


async def test_the_circuit_opens_after_consecutive_failures_and_then_fails_fast(provider, probe) -> None:
    provider.default = FAILING
    client = probe(breaker=BreakerPolicy(failures=3, cool_down=30))

    await fail(client, 3)
    with pytest.raises(CircuitOpen) as caught:
        await client.get_thing("t-1")

    assert len(provider.received) == 3  # the fourth call never left the process
    assert client.breaker.state is CircuitState.OPEN
    assert isinstance(caught.value, ServiceCallError)
    assert 29 < caught.value.retry_after <= 30
    assert "probe" in str(caught.value)


async def test_a_success_resets_the_count_of_consecutive_failures(provider, probe) -> None:
    client = probe(breaker=BreakerPolicy(failures=3, cool_down=30))
    provider.answer(FAILING, FAILING, Answer(200, THING), FAILING, FAILING)

    await fail(client, 2)
    await client.get_thing("t-1")
    await fail(client, 2)

    assert client.breaker.state is CircuitState.CLOSED


async def test_answers_below_500_mean_the_target_is_healthy(provider, probe) -> None:
    provider.default = error(404, "NOT_FOUND")
    client = probe(breaker=BreakerPolicy(failures=2, cool_down=30))

    for _ in range(5):
        with pytest.raises(UpstreamNotFound):
            await client.get_thing("t-1")

    assert client.breaker.state is CircuitState.CLOSED


async def test_after_the_cool_down_one_probe_goes_through_and_its_success_closes_the_circuit(provider, probe) -> None:
    client = probe(breaker=BreakerPolicy(failures=2, cool_down=0.2))
    provider.answer(FAILING, FAILING, Answer(200, THING, delay=0.2), Answer(200, THING))
    await fail(client, 2)
    await asyncio.sleep(0.25)
    assert client.breaker.state is CircuitState.HALF_OPEN

    probe_call = asyncio.create_task(client.get_thing("t-1"))
    await asyncio.sleep(0.05)  # the probe is in flight
    with pytest.raises(CircuitOpen):
        await client.get_thing("t-1")
    assert (await probe_call).id == "t-1"

    assert client.breaker.state is CircuitState.CLOSED
    assert (await client.get_thing("t-1")).id == "t-1"
    assert len(provider.received) == 4


async def test_a_failed_probe_opens_the_circuit_for_another_cool_down(provider, probe) -> None:
    provider.default = FAILING
    client = probe(breaker=BreakerPolicy(failures=2, cool_down=0.2))
    await fail(client, 2)
    await asyncio.sleep(0.25)

    await fail(client, 1)

    assert client.breaker.state is CircuitState.OPEN
    with pytest.raises(CircuitOpen):
        await client.get_thing("t-1")
    assert len(provider.received) == 3


async def test_every_client_of_a_target_shares_its_circuit(provider, probe) -> None:
    provider.default = FAILING
    policy = BreakerPolicy(failures=2, cool_down=30)
    first, second = probe(breaker=policy), probe(breaker=policy)

    await fail(first, 2)

    with pytest.raises(CircuitOpen):
        await second.get_thing("t-1")
    assert second.breaker is first.breaker
