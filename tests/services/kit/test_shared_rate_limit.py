"""With a shared store configured, the rate limit holds across every worker and replica of a service."""

from __future__ import annotations

import os
import uuid

import pytest

from solo60.services.kit.rate_limit import rate_window
from tests.helpers import assert_error

USER = "/internal/users/123"
REDIS = os.environ.get("SOLO60_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


async def test_two_replicas_count_one_callers_calls_against_one_limit(serve) -> None:
    caller = f"session-{uuid.uuid4().hex[:8]}"  # a caller no earlier run has counted
    environ = {"SERVICE_API_KEYS": f"{caller}:session-key,auth:auth-key"}
    shared = {"rate_limit": "4/minute", "rate_limit_storage": REDIS, "environ": environ}
    async with serve("user", **shared) as first, serve("user", **shared) as second:
        for client in (first, second):
            del client.headers["x-service-name"]
        answers = [
            await replica.get(USER, headers={"x-api-key": "session-key"})
            for replica in (first, second, first, second, first, second)
        ]
    assert [answer.status_code for answer in answers] == [404, 404, 404, 404, 429, 429]
    body = assert_error(answers[-1], 429, "RATE_LIMITED")
    assert caller in body.message
    assert 1 <= int(answers[-1].headers["retry-after"]) <= 60


async def test_without_a_shared_store_each_replica_counts_alone(serve) -> None:
    environ = {"SERVICE_API_KEYS": "session:session-key"}
    async with (
        serve("user", rate_limit="2/minute", environ=environ) as first,
        serve("user", rate_limit="2/minute", environ=environ) as second,
    ):
        for client in (first, second):
            del client.headers["x-service-name"]
        answers = [
            await replica.get(USER, headers={"x-api-key": "session-key"}) for replica in (first, first, second, first)
        ]
    assert [answer.status_code for answer in answers] == [404, 404, 404, 429]


def test_a_store_that_is_not_redis_is_refused_with_its_name() -> None:
    with pytest.raises(ValueError, match="memcached://cache"):
        rate_window("10/minute", "memcached://cache:11211")


async def test_the_in_process_window_moves() -> None:
    window = rate_window("2/second")
    assert await window.hit("a") is None
    assert await window.hit("a") is None
    wait = await window.hit("a")
    assert wait is not None
    assert 0 < wait <= 1
    assert await window.hit("b") is None  # another caller has its own window
