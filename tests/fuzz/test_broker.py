"""Fuzz the live Pact Broker's own API: every operation with every check, and linked scenarios.

The broker runs with basic auth on, so a route that answers without credentials is caught,
no webhook worker, and webhooks allowed to call 127.0.0.1 only.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from schemathesis import Case

from solo60.fuzz.live import LiveTarget, broker_auth, live_targets
from tests.fuzz.suite import FuzzSuite

CREDENTIALS = ("fuzz", secrets.token_urlsafe(12))

suite = FuzzSuite("broker", auth=broker_auth(*CREDENTIALS))


@pytest.fixture(scope="module")
def broker() -> Iterator[LiveTarget]:
    with live_targets(["broker"], broker_credentials=CREDENTIALS) as live:
        yield live["broker"]


@suite.schema.parametrize()
@suite.settings
def test_every_operation_answers_as_documented(case: Case, broker: LiveTarget) -> None:
    suite.check(case, broker)


def test_scenarios_over_the_links_answer_as_documented(broker: LiveTarget) -> None:
    suite.run_scenarios(broker)
