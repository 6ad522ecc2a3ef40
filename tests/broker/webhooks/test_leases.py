"""Each webhook attempt is owned by one broker instance at a time (a lease in the database); a
survivor takes over an attempt whose owner died once the lease runs out, and the late owner can
no longer record a result."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from broker.storage.schema import utcnow
from broker.webhooks import repository
from tests.broker.conftest import StartBroker
from tests.broker.support import BrokerClient, Receiver

LEASE = timedelta(seconds=30)


@pytest.fixture
def broker(start_broker: StartBroker, receiver: Receiver) -> Iterator[BrokerClient]:
    """A broker whose own worker is off, with one triggered webhook queued: the test plays the
    instances' workers itself."""
    with start_broker(run_webhook_worker=False) as client:
        hook = {"events": [{"name": "contract_published"}], "request": {"method": "POST", "url": receiver.url}}
        assert client.post("/webhooks", hook).status_code == 201
        client.publish("web", "1", "api")
        yield client


def test_an_attempt_is_claimed_by_one_instance_only(broker: BrokerClient) -> None:
    database = broker.application.database
    now = utcnow()
    with database.writing() as connection:
        first = repository.claim_next(connection, "instance-a", now, now + LEASE)
    with database.writing() as connection:
        second = repository.claim_next(connection, "instance-b", now, now + LEASE)
    assert first is not None
    assert first.attempt == 1
    assert first.taken_over_from is None
    assert second is None  # the lease keeps everyone else out


def test_a_survivor_takes_over_when_the_lease_runs_out(broker: BrokerClient) -> None:
    database = broker.application.database
    now = utcnow()
    with database.writing() as connection:
        dead = repository.claim_next(connection, "instance-a", now, now + LEASE)
    assert dead is not None
    later = now + LEASE + timedelta(seconds=1)
    with database.writing() as connection:
        survivor = repository.claim_next(connection, "instance-b", later, later + LEASE)
    assert survivor is not None
    assert (survivor.job.id, survivor.attempt, survivor.taken_over_from) == (dead.job.id, 2, "instance-a")
    with database.writing() as connection:  # the first owner comes back too late: its result is refused
        assert not repository.finish_attempt(connection, dead, "instance-a", "success", None)
    with database.writing() as connection:
        assert repository.finish_attempt(connection, survivor, "instance-b", "success", None)
    with database.reading() as connection:
        assert repository.triggered_where(connection)[0].status == "success"


def test_the_worker_delivers_with_a_delivery_id_and_logs_a_takeover(broker: BrokerClient, receiver: Receiver) -> None:
    database = broker.application.database
    now = utcnow()
    with database.writing() as connection:  # an instance that died mid-attempt; its lease has run out
        assert repository.claim_next(connection, "instance-gone", now, now) is not None
    worker = broker.application.worker
    assert worker.run_due() == 1
    delivered = receiver.wait_for(1)
    assert len(delivered) == 1
    with database.reading() as connection:
        job = repository.triggered_where(connection)[0]
        logs = repository.executions_of(connection, [job.id])[0].logs
    assert delivered[0].headers["x-pact-broker-delivery"] == job.uuid
    assert job.status == "success"
    assert job.attempts == 2
    assert "instance-gone" in logs
    assert "taken over" in logs
