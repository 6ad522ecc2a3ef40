"""A broker seeded with realistic data (`seed.py`) per backend, shared by the UI tests of a
module; tests that change data start their own."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.broker.conftest import StartBroker
from tests.broker.support import BrokerClient, running_receiver
from tests.broker.ui.seed import Seeded, seed

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@dataclass
class SeededBroker:
    client: BrokerClient
    seeded: Seeded

    @property
    def url(self) -> str:
        return self.client.url

    def page(self, path: str, **kwargs: object):
        return self.client.get(path, headers={"Accept": BROWSER_ACCEPT}, **kwargs)


@pytest.fixture(scope="module")
def seeded(start_broker: StartBroker) -> Iterator[SeededBroker]:
    with running_receiver() as receiver, start_broker() as client:
        yield SeededBroker(client, seed(client, receiver))
