"""Fuzz the live session service: every operation with every check, and scenarios over its links."""

from __future__ import annotations

from schemathesis import Case

from solo60.fuzz.live import LiveTargets
from tests.fuzz.suite import FuzzSuite

suite = FuzzSuite("session")


@suite.schema.parametrize()
@suite.settings
def test_every_operation_answers_as_documented(case: Case, services: LiveTargets) -> None:
    suite.check(case, services["session"])


def test_scenarios_over_the_links_answer_as_documented(services: LiveTargets) -> None:
    suite.run_scenarios(services["session"])
