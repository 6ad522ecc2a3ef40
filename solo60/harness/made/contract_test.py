"""What a consumer suite uses to record a pact while the consumer's own code runs against the mock.

    async def test_booking_debits_the_slot_price(contract, session_db, neighbours):
        (contract.request("a debit for a booking", "POST", "/internal/payments/credits/debit")
            .given("a user has credits", userId="123", balance=10)
            .with_body(...) .will_respond_with(201) .with_body(...))
        async with contract.client(PaymentClient) as payments:
            reply = await booking.book(runtime_with(payments), BookSession(...), "booking-1")

The client is the consumer's generated client, configured for the mock server; the test
hands it to the consumer's code (a flow, a relay handler, a lookup), so what reaches the mock
is what that code sends. Where the request is composed from data the test cannot know in
advance, the interaction is declared from what the code queued (`consumer_database.py`) or
sent in a rehearsal (`rehearsal.py`). Each test gets a fresh Pact (a pact is frozen once its
mock server has run); the interaction is written to the worker's staging folder only when
the calls succeeded and the mock server saw exactly what was declared.

While the test runs (inside `recording()`, which the suites' `contract` fixture opens), the
client records which response fields are read: by the consumer's code and by the test's own
assertions, which state what the consumer relies on. When the test ends, the pact keeps only
those fields (`keep_only_what_was_read`, `reads.py`): nobody lists by hand what a consumer uses.

A consumer of domain events declares messages instead (`contract.message(EVENT, "...")`) and
hands them to its real handler (`contract.receive(handler)`); pact-python calls the handler
with each message's body and metadata, and the pact is written when it took every one.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from pact import Pact
from pact.interaction import AsyncMessageInteraction, HttpInteraction

from solo60.clients import BreakerPolicy, ClientConfig, RetryPolicy, ServiceClient, Timeouts
from solo60.clients._reading import ReadLog
from solo60.contracts.events import EventContract
from solo60.harness.made.matchers import SERVICE_KEY_EXAMPLE, service_key
from solo60.harness.made.pact_files import pact_file_name, write_atomically
from solo60.harness.made.reads import cut_to_reads

ClientT = TypeVar("ClientT", bound=ServiceClient)

MessageHandler = Callable[[str | bytes | None, dict[str, object]], None]
"""What pact-python hands each declared message to: `(body, metadata)`; raises when the consumer cannot take it."""

NO_RETRIES = RetryPolicy(attempts=1)
"""The mock answers what the pact says; a retry would only hide a wrong expectation."""


class ContractTest:
    """One consumer test's pact: declare interactions, then drive the real client against the mock."""

    def __init__(self, consumer: str, provider: str, directory: Path) -> None:
        self.consumer = consumer
        self.provider = provider
        self.directory = directory
        self.pact = Pact(consumer, provider).with_specification("V4")
        self.declared = 0
        self.written = False
        self.descriptions: set[str] = set()
        self.mock_urls: list[str] = []

    def request(self, description: str, method: str, path: str, *, authenticated: bool = True) -> HttpInteraction:
        """A new interaction for this request; it carries the service key unless `authenticated=False`.

        It names the consumer in `x-service-name`, as the real client does: verified with a shared
        key (the development key), that is who the provider takes the caller to be, which routes
        open to named callers only (such as debiting credits) depend on.
        """
        self.declared += 1
        self.descriptions.add(description)
        interaction = self.pact.upon_receiving(description).with_request(method, path)
        if authenticated:
            interaction = interaction.with_header("x-api-key", service_key())
            interaction = interaction.with_header("x-service-name", self.consumer)
        return interaction

    @asynccontextmanager
    async def client(
        self, client_class: type[ClientT], *, api_key: str = SERVICE_KEY_EXAMPLE
    ) -> AsyncIterator[ClientT]:
        """The real client, configured for the mock server; the pact is written when all went as declared."""
        with self.pact.serve(raises=True) as server:
            mock_url = str(server.url).rstrip("/")
            self.mock_urls.append(mock_url)
            config = ClientConfig(
                base_url=mock_url,
                caller=self.consumer,
                api_key=api_key,
                timeouts=Timeouts(connect=2.0, attempt=5.0, deadline=10.0),
                retry=NO_RETRIES,
                breaker=BreakerPolicy(failures=1000, cool_down=0.1),
            )
            async with client_class(config) as client:
                yield client
        self.directory.mkdir(parents=True, exist_ok=True)
        self.pact.write_file(self.directory)
        self.written = True

    def keep_only_what_was_read(self, logs: list[ReadLog]) -> None:
        """Cut this test's successful responses in the written pact to the fields read (`reads.py`)."""
        path = self.directory / pact_file_name(self.consumer, self.provider)
        if not self.written or not path.is_file():
            return
        document = json.loads(path.read_text())
        if cut_to_reads(document, self.descriptions, logs, self.mock_urls):
            write_atomically(path, json.dumps(document, indent=2, sort_keys=True) + "\n")

    def message(self, event: EventContract[Any], description: str) -> AsyncMessageInteraction:
        """A message the consumer reads (V4 asynchronous): `<event name>: <description>`, the event's name
        and version as metadata. The description's prefix is how the producer finds the code that builds
        that event when it verifies the pact (`kit/events/provider_messages.py`)."""
        self.declared += 1
        return self.pact.upon_receiving(f"{event.name}: {description}", "Async").with_metadata(
            {"eventName": event.name, "eventVersion": str(event.version), "contentType": "application/json"}
        )

    def receive(self, handler: MessageHandler) -> None:
        """Hand every declared message to the consumer's real handler; the pact is written when it took each."""
        self.pact.verify(handler, "Async")
        self.directory.mkdir(parents=True, exist_ok=True)
        self.pact.write_file(self.directory)
        self.written = True
