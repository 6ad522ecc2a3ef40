"""One target's fuzz suite for pytest: its schema (loaded at import, so `parametrize` sees every
operation), a check per generated case against the live server, and scenarios over its links;
each operation's provider states are set up before it is fuzzed, as `solo60 fuzz` does.

`schemathesis.pytest.from_fixture` would take the schema from the live server instead, but it
fails under pytest 9.2; the document a service serves is the one its contract renders (the
services' own tests check that), so the contract's document is loaded here and only the base
URL comes from the live server.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import httpx
import hypothesis
from hypothesis import HealthCheck, settings
from schemathesis import Case

from solo60.fuzz.baseline import Baseline, Tally
from solo60.fuzz.budget import Budget
from solo60.fuzz.live import FUZZ_CALLER, LiveTarget, service_auth
from solo60.fuzz.schema import fuzz_schema
from solo60.fuzz.seeding import StateSeeder
from solo60.fuzz.targets import fuzz_target

SUITES: list[FuzzSuite] = []
"""Every suite collected in this session, for the summary at the end."""

STATEFUL_SCENARIOS = 15


class FuzzSuite:
    def __init__(self, name: str, *, auth: Mapping[str, Any] | None = None, budget: Budget | None = None) -> None:
        self.target = fuzz_target(name)
        self.budget = budget or Budget.from_env()
        self.tally = Tally(Baseline.load())
        self.seeder = StateSeeder()
        """Seeds nothing until the `services` fixture attaches it to the live service."""
        self.schema = fuzz_schema(self.target, self.budget, self.tally, auth or service_auth(), seeder=self.seeder)
        SUITES.append(self)

    def attach(self, live: LiveTarget) -> None:
        """Before fuzzing an operation, set its provider states up on `live` (as `solo60 fuzz` does)."""
        self.seeder.attach(live, self.target.document())

    def settings(self, test: Callable[..., None]) -> Callable[..., None]:
        """Hypothesis settings for the per-operation test: no deadline, no example database."""
        return settings(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])(test)

    def check(self, case: Case, live: LiveTarget) -> None:
        """Send the case to the live server and run every check; a new finding fails the test."""
        case.call_and_validate(base_url=live.url)

    def run_scenarios(self, live: LiveTarget, *, scenarios: int = STATEFUL_SCENARIOS) -> None:
        """Chains of calls along the OpenAPI links, each scenario on freshly seeded data."""
        http = httpx.Client(timeout=10, headers={"x-service-name": FUZZ_CALLER})
        seeder = self.seeder

        class Scenarios(self.schema.as_state_machine()):  # type: ignore[misc]
            def setup(self) -> None:
                # Replays must see the same data, or Hypothesis calls the scenario flaky.
                live.reset(http)
                seeder.forget()  # the reset emptied what the provider states had set up

            def get_call_kwargs(self, case: Case) -> dict[str, Any]:
                return {"base_url": live.url}

        if self.budget.seed is not None:
            hypothesis.seed(self.budget.seed)(Scenarios)
        try:
            Scenarios.run(
                settings=settings(
                    max_examples=max(scenarios, self.budget.max_examples),
                    stateful_step_count=self.budget.stateful_steps,
                    deadline=None,
                    database=None,
                    suppress_health_check=list(HealthCheck),
                )
            )
        finally:
            http.close()
