"""When the broker is saturated it sheds load with 429 (queue full) and 503 (waited too long),
both with Retry-After, which the official clients honour; cheap probes still answer."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import sqlalchemy as sa

from broker.api.application import BrokerApplication
from broker.config import LoadLimits
from tests.broker.conftest import StartBroker
from tests.broker.support import encoded, pact_document

LIMITS = LoadLimits(max_concurrent_requests=1, max_queued_requests=1, queue_timeout_seconds=4)


@contextmanager
def database_held(application: BrokerApplication) -> Iterator[None]:
    """Another client holds the tables, so a request that writes waits inside its slot."""
    with application.database.engine.connect() as connection:
        connection.execution_options(broker_write=True)  # SQLite: BEGIN IMMEDIATE takes the write lock
        transaction = connection.begin()
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("LOCK TABLE pacticipants IN ACCESS EXCLUSIVE MODE"))
        try:
            yield
        finally:
            transaction.rollback()


def _until(condition: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the broker did not reach the expected state"
        time.sleep(0.01)


def _publish(url: str, results: dict[str, httpx.Response]) -> None:
    body = {
        "pacticipantName": "web",
        "pacticipantVersionNumber": "1",
        "contracts": [{"consumerName": "web", "providerName": "api", "content": encoded(pact_document("web", "api"))}],
    }
    results["publish"] = httpx.post(f"{url}/contracts/publish", json=body, timeout=60)


def test_a_full_queue_gets_429_and_a_long_wait_503_both_with_retry_after(start_broker: StartBroker) -> None:
    with start_broker(limits=LIMITS) as broker:
        results: dict[str, httpx.Response] = {}
        with database_held(broker.application):
            admission = broker.application.admission
            writer = threading.Thread(target=_publish, args=(broker.url, results))
            writer.start()
            _until(lambda: admission.busy == 1)  # the publish holds the only slot, waiting for the database
            waiter = threading.Thread(
                target=lambda: results.update(waited=httpx.get(f"{broker.url}/pacticipants", timeout=30))
            )
            waiter.start()
            _until(lambda: admission.waiting == 1)  # ...and a second request waits in the queue of one

            refused = broker.get("/environments")
            assert refused.status_code == 429
            assert int(refused.headers["retry-after"]) >= 1
            assert refused.json()["errors"] == ["The broker has too many requests waiting; retry later"]
            assert broker.get("/health").status_code == 200  # probes need no slot
            assert broker.get("/ready").status_code == 200

            waiter.join(timeout=10)
            assert results["waited"].status_code == 503
            assert int(results["waited"].headers["retry-after"]) >= 1
        writer.join(timeout=30)
        assert results["publish"].status_code == 200  # the request that had the slot completes
        assert broker.get("/pacticipants/web").status_code == 200
