"""A target's Schemathesis schema: its document, every check, and the baseline on every failure.

Values created by provider states go into the cases through hooks too (`seeding`).
The baseline is applied through Schemathesis' `filter_failure` hook, so the pytest suites and
the engine behind `solo60 fuzz` judge a failure the same way: a covered one is counted in the
tally and dropped, a new one stands and fails the test or the run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import schemathesis
from schemathesis import Case, Response
from schemathesis.core.failures import Failure
from schemathesis.schemas import BaseSchema

from solo60.fuzz.baseline import Finding, Tally
from solo60.fuzz.budget import Budget
from solo60.fuzz.seeding import StateSeeder, seed_schema
from solo60.fuzz.targets import FuzzTarget


def fuzz_schema(
    target: FuzzTarget,
    budget: Budget,
    tally: Tally,
    auth: Mapping[str, Any],
    *,
    base_url: str | None = None,
    document: dict[str, Any] | None = None,
    seeder: StateSeeder | None = None,
) -> BaseSchema:
    """The schema of `target` (its own document unless one is given, e.g. as a live server serves it).

    With a `seeder` (and the budget's `provider_states` on), generated cases carry the values
    the operation's provider states created.
    """
    config = budget.config(auth, base_url=base_url)
    schema = schemathesis.openapi.from_dict(document or target.document(), config=config)

    def filter_failure(_context: Any, failure: Failure, case: Case, response: Response) -> bool:
        return tally.record(Finding.observe(target.name, failure, case, response))

    schema.hooks.register_hook_with_name(filter_failure, "filter_failure")
    if seeder is not None and budget.provider_states:
        seed_schema(schema, seeder)
    return schema
