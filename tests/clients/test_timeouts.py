"""Each attempt has a timeout and the whole call a deadline, retries and their waits included."""

from __future__ import annotations

import time

import pytest

from solo60.clients import DeadlineExceeded, RetryPolicy, TimedOut, Timeouts, TransportError
from tests.clients.probe import THING, NewThing
from tests.clients.scripted import Answer


async def test_a_read_whose_attempt_times_out_is_tried_again(provider, probe) -> None:
    provider.answer(Answer(200, THING, delay=0.3), Answer(200, THING))
    client = probe(timeouts=Timeouts(connect=0.5, attempt=0.1, deadline=2.0))

    assert (await client.get_thing("t-1")).id == "t-1"
    assert len(provider.received) == 2


async def test_a_call_that_is_not_idempotent_times_out_without_being_resent(provider, probe) -> None:
    provider.answer(Answer(201, THING, delay=0.3))
    client = probe(timeouts=Timeouts(connect=0.5, attempt=0.1, deadline=2.0))

    with pytest.raises(TimedOut) as caught:
        await client.create_thing(NewThing(name="kettlebell", size=16))

    assert not isinstance(caught.value, DeadlineExceeded)
    assert len(provider.received) == 1


async def test_the_deadline_bounds_the_whole_call_however_many_attempts_remain(provider, probe) -> None:
    provider.default = Answer(200, THING, delay=0.4)
    client = probe(
        timeouts=Timeouts(connect=0.5, attempt=0.2, deadline=0.3),
        retry=RetryPolicy(attempts=20, backoff=0.01, max_backoff=0.01, jitter=0.0),
    )

    started = time.monotonic()
    with pytest.raises(DeadlineExceeded) as caught:
        await client.get_thing("t-1")  # the second attempt is cut short by the deadline
    elapsed = time.monotonic() - started

    assert isinstance(caught.value, TransportError)
    assert 0.3 <= elapsed < 0.3 + 0.2
    assert caught.value.attempts == 2
    assert "0.3 s deadline" in str(caught.value)


async def test_no_retry_is_started_that_could_not_finish_before_the_deadline(provider, probe) -> None:
    provider.default = Answer(200, THING, delay=0.4)
    client = probe(
        timeouts=Timeouts(connect=0.5, attempt=0.2, deadline=0.3),
        retry=RetryPolicy(attempts=20, backoff=0.5, max_backoff=0.5, jitter=0.0),
    )

    with pytest.raises(TimedOut) as caught:
        await client.get_thing("t-1")

    assert not isinstance(caught.value, DeadlineExceeded)  # the real failure, not a late timeout
    assert caught.value.attempts == 1
