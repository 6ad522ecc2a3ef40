"""Retries: only of retry-safe calls, only after failures another attempt may cure, with growing waits."""

from __future__ import annotations

import socket
import time

import pytest

from solo60.clients import (
    ConnectFailed,
    ConnectionLost,
    RetryPolicy,
    ServiceUnavailable,
    UpstreamDependencyUnavailable,
    UpstreamNotFound,
    UpstreamRateLimited,
)
from tests.clients.probe import THING, NewThing
from tests.clients.scripted import Answer, error


async def test_a_read_is_retried_after_503_with_exponentially_growing_waits(provider, probe) -> None:
    provider.answer(error(503, "UPSTREAM_UNAVAILABLE"), error(503, "UPSTREAM_UNAVAILABLE"), Answer(200, THING))
    client = probe(retry=RetryPolicy(attempts=3, backoff=0.05, max_backoff=1.0, jitter=0.01))

    thing = await client.get_thing("t-1")

    assert thing.id == "t-1"
    assert len(provider.received) == 3
    first_wait, second_wait = provider.gaps()
    assert first_wait >= 0.05
    assert second_wait >= 0.10
    assert second_wait > first_wait


@pytest.mark.parametrize("status", [502, 503, 504])
async def test_a_gateway_failure_without_an_error_body_is_retried(provider, probe, status) -> None:
    provider.answer(Answer(status, raw=b"<html>Bad gateway</html>"), Answer(200, THING))

    assert (await probe().get_thing("t-1")).id == "t-1"
    assert len(provider.received) == 2


async def test_429_waits_as_long_as_retry_after_says(provider, probe) -> None:
    provider.answer(error(429, "RATE_LIMITED", headers={"Retry-After": "1"}), Answer(200, THING))

    assert (await probe().get_thing("t-1")).id == "t-1"
    assert provider.gaps()[0] >= 1.0


async def test_a_retry_after_beyond_the_deadline_is_not_waited_for(provider, probe) -> None:
    provider.answer(error(429, "RATE_LIMITED", headers={"Retry-After": "120"}), Answer(200, THING))

    with pytest.raises(UpstreamRateLimited) as caught:
        await probe().get_thing("t-1")

    assert caught.value.retry_after == 120
    assert caught.value.attempts == 1
    assert len(provider.received) == 1


async def test_a_call_that_is_not_idempotent_and_has_no_key_is_never_retried(provider, probe) -> None:
    provider.answer(error(503, "UPSTREAM_UNAVAILABLE"), Answer(201, THING))

    with pytest.raises(UpstreamDependencyUnavailable) as caught:
        await probe().create_thing(NewThing(name="kettlebell", size=16))

    assert caught.value.attempts == 1
    assert len(provider.received) == 1


async def test_a_call_that_is_not_idempotent_is_not_resent_after_a_dropped_connection(provider, probe) -> None:
    provider.answer(Answer(201, THING, drop=True), Answer(201, THING))

    with pytest.raises(ConnectionLost):
        await probe().create_thing(NewThing(name="kettlebell", size=16))

    assert len(provider.received) == 1


async def test_a_keyed_call_is_retried_with_the_same_key_body_and_correlation_id(provider, probe) -> None:
    provider.answer(Answer(201, THING, drop=True), error(503, "UPSTREAM_UNAVAILABLE"), Answer(201, THING))

    thing = await probe().buy_thing(NewThing(name="kettlebell", size=16))

    assert thing.id == "t-1"
    assert len(provider.received) == 3
    assert len({request.headers["idempotency-key"] for request in provider.received}) == 1
    assert len({request.headers["x-correlation-id"] for request in provider.received}) == 1
    assert len({request.body for request in provider.received}) == 1


async def test_a_read_is_resent_after_a_dropped_connection(provider, probe) -> None:
    provider.answer(Answer(200, THING, drop=True), Answer(200, THING))

    assert (await probe().get_thing("t-1")).id == "t-1"
    assert len(provider.received) == 2


async def test_a_refused_connection_is_retried_then_reported(probe) -> None:
    with socket.socket() as placeholder:  # a port nobody listens on
        placeholder.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{placeholder.getsockname()[1]}"
    client = probe(url, retry=RetryPolicy(attempts=3, backoff=0.05, max_backoff=1.0, jitter=0.0))

    started = time.monotonic()
    with pytest.raises(ConnectFailed) as caught:
        await client.get_thing("t-1")

    assert caught.value.attempts == 3
    assert time.monotonic() - started >= 0.05 + 0.10
    assert url in str(caught.value)


async def test_the_last_failure_is_raised_when_the_attempts_run_out(provider, probe) -> None:
    provider.default = Answer(503, raw=b"")

    with pytest.raises(ServiceUnavailable) as caught:
        await probe(retry=RetryPolicy(attempts=4, backoff=0.01, max_backoff=0.05, jitter=0.0)).get_thing("t-1")

    assert caught.value.attempts == 4
    assert caught.value.status == 503
    assert len(provider.received) == 4


async def test_an_answer_that_another_attempt_would_not_change_is_not_retried(provider, probe) -> None:
    provider.answer(error(404, "NOT_FOUND"), Answer(200, THING))

    with pytest.raises(UpstreamNotFound):
        await probe().get_thing("t-1")

    assert len(provider.received) == 1


async def test_a_policy_of_one_attempt_turns_retries_off(provider, probe) -> None:
    provider.answer(error(503, "UPSTREAM_UNAVAILABLE"), Answer(200, THING))

    with pytest.raises(UpstreamDependencyUnavailable):
        await probe(retry=RetryPolicy(attempts=1)).get_thing("t-1")

    assert len(provider.received) == 1
