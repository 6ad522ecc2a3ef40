"""Concurrent publishers, then the broker process killed with SIGKILL and restarted: every
publication the broker acknowledged is still there."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable

import httpx
import pytest

from tests.broker.processes import broker_processes
from tests.broker.support import encoded, interaction, pact_document

PUBLISHERS = 10
CONTRACTS_EACH = 100


def _publish_body(consumer: str, number: int) -> dict:
    return {
        "pacticipantName": consumer,
        "pacticipantVersionNumber": str(number),
        "branch": "main",
        "contracts": [
            {
                "consumerName": consumer,
                "providerName": "api",
                "content": encoded(pact_document(consumer, "api", interaction(f"request {number}"))),
            }
        ],
    }


@pytest.mark.slow
def test_acknowledged_publications_survive_sigkill(new_database: Callable[[], str]) -> None:
    database_url = new_database()
    acknowledged: list[tuple[str, int]] = []
    lock = threading.Lock()
    with broker_processes(database_url) as (broker,):
        url = broker.url

        def publisher(index: int) -> None:
            consumer = f"consumer-{index}"
            with httpx.Client(base_url=url, timeout=30) as client:
                for number in range(CONTRACTS_EACH):
                    try:
                        response = client.post("/contracts/publish", json=_publish_body(consumer, number))
                    except httpx.HTTPError:
                        return  # the broker was killed
                    if response.status_code != 200:
                        raise AssertionError(response.text)
                    with lock:
                        acknowledged.append((consumer, number))

        threads = [threading.Thread(target=publisher, args=(i,), daemon=True) for i in range(PUBLISHERS)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < PUBLISHERS * CONTRACTS_EACH // 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        broker.process.send_signal(signal.SIGKILL)
        for thread in threads:
            thread.join(timeout=30)
        killed_at = len(acknowledged)

    assert 0 < killed_at < PUBLISHERS * CONTRACTS_EACH, "the kill happened while publishing"
    with broker_processes(database_url) as (restarted,), httpx.Client(base_url=restarted.url, timeout=30) as client:
        missing = [
            (consumer, number)
            for consumer, number in acknowledged
            if client.get(f"/pacts/provider/api/consumer/{consumer}/version/{number}").status_code != 200
        ]
        assert missing == []
        for index in range(PUBLISHERS):
            heads = client.get(f"/pacts/provider/api/consumer/consumer-{index}/branch/main/latest")
            numbers = [n for c, n in acknowledged if c == f"consumer-{index}"]
            if numbers:
                assert int(heads.json()["_links"]["pb:consumer-version"]["name"]) >= max(numbers)


def test_every_sqlite_connection_syncs_each_commit_to_disk(tmp_path) -> None:
    """WAL with synchronous=NORMAL may lose the last acknowledged commits on a power cut; FULL
    syncs the log before a commit returns. Checked on every pooled connection, readers included."""
    import sqlalchemy as sa

    from broker.storage.database import Database

    database = Database(f"sqlite:///{tmp_path / 'broker.sqlite'}")
    try:
        database.migrate()
        FULL = 2
        with database.writing() as writer, database.reading() as reader:
            assert writer.exec_driver_sql("PRAGMA synchronous").scalar() == FULL
            assert reader.exec_driver_sql("PRAGMA synchronous").scalar() == FULL
            assert writer.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        with database.engine.connect() as connection:
            assert connection.execute(sa.text("PRAGMA synchronous")).scalar() == FULL
    finally:
        database.dispose()
