"""Two `solo60 broker serve` processes on one fresh PostgreSQL schema behave as one broker.

They start at the same moment (so both race to migrate), ten clients spread over them publish
(twins publish the same consumer version through different instances at once), verify, deploy
(twins deploy into the same slot at once) and ask can-i-deploy, and one instance is killed with
SIGKILL mid-run. Then: everything acknowledged is there, each slot has exactly one current
deployment, every triggered webhook reached the receiver on 127.0.0.1 exactly once by its delivery
id (a repeat on the wire only where the killed instance was delivering as it died, with the
takeover in the execution log), and no instance ever answered 5xx.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from tests.broker.processes import BrokerProcess, broker_processes
from tests.broker.support import encoded, interaction, pact_document

CLIENTS = 10
ROUNDS = 12
TWINS = CLIENTS // 2  # client i and client i + TWINS act for the same consumer through different instances
RUN_SECONDS = 120
SETTLE_SECONDS = 60
INSTANCE_ENV = {
    "PACT_BROKER_WEBHOOK_HOST_ALLOW_LIST": "127.0.0.1",
    "PACT_BROKER_WEBHOOK_TIMEOUT_SECONDS": "2",
    "PACT_BROKER_WEBHOOK_LEASE_SECONDS": "3",
    "PACT_BROKER_WEBHOOK_RETRY_SCHEDULE": "0.5,1,2",
}
FIELDS = ("event", "consumer", "version", "provider", "providerVersion")
CONTEXT_KEYS = ("eventName", "consumerName", "consumerVersionNumber", "providerName", "providerVersionNumber")


@dataclass
class Run:
    """What the clients saw, shared between their threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    published: list[tuple[str, str]] = field(default_factory=list)
    verified: list[str] = field(default_factory=list)
    deployed: list[tuple[str, str]] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    acknowledged: int = 0

    def note(self, response: httpx.Response, what: str) -> bool:
        with self.lock:
            if response.status_code >= 500:
                self.server_errors.append(f"{what}: {response.status_code} {response.text[:200]}")
                return False
            if response.status_code >= 300:
                raise AssertionError(f"{what}: {response.status_code} {response.text[:300]}")
            self.acknowledged += 1
            return True


class Receiver(ThreadingHTTPServer):
    """The webhooks' target: counts the deliveries of each triggered webhook, by its delivery id."""

    def __init__(self) -> None:
        self.deliveries: Counter[str] = Counter()  # by X-Pact-Broker-Delivery
        self.bodies: dict[str, tuple[str, ...]] = {}
        self.guard = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                delivery = self.headers["X-Pact-Broker-Delivery"]
                with receiver.guard:
                    receiver.deliveries[delivery] += 1
                    receiver.bodies[delivery] = tuple(body[name] for name in FIELDS)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                return

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


def _publish_body(consumer: str, number: str) -> dict[str, Any]:
    document = pact_document(consumer, "api", interaction(f"request of {number}"))
    return {
        "pacticipantName": consumer,
        "pacticipantVersionNumber": number,
        "branch": "main",
        "contracts": [{"consumerName": consumer, "providerName": "api", "content": encoded(document)}],
    }


def _client(index: int, instances: list[BrokerProcess], environment: str, run: Run, stop: threading.Event) -> None:
    """Publish, verify, deploy and ask can-i-deploy, on its own instance until that one dies."""
    consumer = f"consumer-{index % TWINS}"
    order = [instances[index % 2], instances[(index + 1) % 2]]
    http = httpx.Client(timeout=30)

    def call(method: str, path: str, **kwargs: Any) -> httpx.Response:
        while True:
            try:
                return http.request(method, order[0].url + path, **kwargs)
            except httpx.TransportError:
                if len(order) == 1:
                    raise
                order.pop(0)  # the instance died: the load balancer would send us to the other one

    with http:
        for round_number in range(ROUNDS):
            if stop.is_set():
                return
            number = f"{round_number}"
            response = call("POST", "/contracts/publish", json=_publish_body(consumer, number))
            if not run.note(response, f"publish {consumer} {number}"):
                continue
            with run.lock:
                run.published.append((consumer, number))
            pact = call("GET", f"/pacts/provider/api/consumer/{consumer}/version/{number}")
            if not run.note(pact, "get pact"):
                continue
            href = httpx.URL(pact.json()["_links"]["pb:publish-verification-results"]["href"]).raw_path.decode()
            provider_version = f"p{index}.{round_number}"
            result = call("POST", href, json={"success": True, "providerApplicationVersion": provider_version})
            if run.note(result, f"verify {provider_version}"):
                with run.lock:
                    run.verified.append(httpx.URL(result.json()["_links"]["self"]["href"]).raw_path.decode())
            deployment = call(
                "POST",
                f"/pacticipants/{consumer}/versions/{number}/deployed-versions/environment/{environment}",
                json={},
            )
            if run.note(deployment, f"deploy {consumer} {number}"):
                with run.lock:
                    run.deployed.append((consumer, number))
            verdict = call(
                "GET",
                f"/matrix?q[][pacticipant]={consumer}&q[][version]={number}&latestby=cvpv&environment=production",
            )
            run.note(verdict, f"can-i-deploy {consumer} {number}")


def _settled_webhooks(database_url: str) -> list[Any]:
    """Every triggered webhook once none is pending any more (bounded wait)."""
    engine = sa.create_engine(database_url)
    deadline = time.monotonic() + SETTLE_SECONDS
    try:
        while True:
            with engine.connect() as connection:
                rows = connection.execute(
                    sa.text(
                        "SELECT t.uuid, t.status, t.context, (SELECT string_agg(e.logs, '\n') "
                        "FROM webhook_executions e WHERE e.triggered_webhook_id = t.id) AS logs "
                        "FROM triggered_webhooks t"
                    )
                ).all()
            if all(row.status in ("success", "failure") for row in rows) or time.monotonic() > deadline:
                return rows
            time.sleep(0.2)
    finally:
        engine.dispose()


def _key(context: dict[str, str]) -> tuple[str, ...]:
    return tuple(context[key] for key in CONTEXT_KEYS)


@pytest.mark.postgres
@pytest.mark.slow
def test_two_instances_survive_one_being_killed_mid_run(new_postgres_url: Callable[[], str]) -> None:
    database_url = new_postgres_url()
    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    run = Run()
    stop = threading.Event()
    try:
        with broker_processes(database_url, count=2, env=INSTANCE_ENV) as instances:
            first, second = instances
            setup = httpx.Client(base_url=first.url, timeout=30)
            template = {name: f"${{pactbroker.{key}}}" for name, key in zip(FIELDS, CONTEXT_KEYS, strict=True)}
            hook = {
                "events": [{"name": "contract_published"}, {"name": "provider_verification_published"}],
                "request": {"method": "POST", "url": receiver.url, "body": template},
            }
            assert setup.post("/webhooks", json=hook).status_code == 201
            environment = setup.post("/environments", json={"name": "production", "production": True}).json()["uuid"]
            setup.close()

            clients = [
                threading.Thread(target=_client, args=(i, instances, environment, run, stop), daemon=True)
                for i in range(CLIENTS)
            ]
            for thread in clients:
                thread.start()
            deadline = time.monotonic() + RUN_SECONDS
            while run.acknowledged < CLIENTS * ROUNDS * 2 and time.monotonic() < deadline:
                time.sleep(0.01)
            second.process.send_signal(signal.SIGKILL)
            killed_at = run.acknowledged
            for thread in clients:
                thread.join(timeout=max(1.0, deadline - time.monotonic()))
            stop.set()
            assert not any(thread.is_alive() for thread in clients), "the clients finished in time"
            assert 0 < killed_at < run.acknowledged, "the kill happened mid-run"
            assert run.server_errors == []

            survivor = httpx.Client(base_url=first.url, timeout=30)
            missing = [
                (consumer, number)
                for consumer, number in run.published
                if survivor.get(f"/pacts/provider/api/consumer/{consumer}/version/{number}").status_code != 200
            ]
            assert missing == []
            assert [path for path in run.verified if survivor.get(path).status_code != 200] == []
            for twin in range(TWINS):
                consumer = f"consumer-{twin}"
                current = survivor.get(
                    f"/environments/{environment}/deployed-versions/currently-deployed",
                    params={"pacticipant": consumer},
                ).json()["_embedded"]["deployedVersions"]
                if any(name == consumer for name, _ in run.deployed):
                    assert len(current) == 1, f"{consumer} has exactly one current deployment in its slot"
            survivor.close()

            rows = _settled_webhooks(database_url)
            assert rows, "the run triggered webhooks"
            assert [row.uuid for row in rows if row.status != "success"] == []
            with receiver.guard:
                deliveries, bodies = Counter(receiver.deliveries), dict(receiver.bodies)
            # exactly once, as a receiver that remembers delivery ids sees it; each with its own event
            assert set(deliveries) == {row.uuid for row in rows}
            assert {row.uuid: _key(json.loads(row.context)) for row in rows} == bodies
            # on the wire, a repeat only where the killed instance was delivering as it died
            repeated = {uuid for uuid, count in deliveries.items() if count > 1}
            taken_over = {row.uuid for row in rows if "taken over" in (row.logs or "")}
            assert repeated <= taken_over
    finally:
        stop.set()
        receiver.shutdown()
        receiver.server_close()
