"""Fuzz the live auth service: every operation with every check.

No scenarios: auth's document declares no links and Schemathesis infers none, because nothing
an auth operation answers is read back by another (its tokens travel by mail), so there is no
chain of calls to follow. `solo60 fuzz auth` reports its stateful phase as not applicable.
"""

from __future__ import annotations

from schemathesis import Case

from solo60.fuzz.live import LiveTargets
from tests.fuzz.suite import FuzzSuite

suite = FuzzSuite("auth")


@suite.schema.parametrize()
@suite.settings
def test_every_operation_answers_as_documented(case: Case, services: LiveTargets) -> None:
    suite.check(case, services["auth"])
