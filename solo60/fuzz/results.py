"""What a fuzz run found, per target and operation: plain data, which `run_targets`' worker
processes send back.

Kept apart from `runner` so that whoever only reads results (the report, the pipeline's verdict)
does not import Schemathesis to do so.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from solo60.fuzz.baseline import Finding, Tally

ANSWER_CLASSES: tuple[str, ...] = ("2xx", "404", "4xx", "5xx")
"""How the report sorts answers: served, not found (the data was missing), refused otherwise, broken."""


def answer_class(status: int) -> str | None:
    """The report's class of an HTTP status; None for the 1xx and 3xx a fuzz run does not expect."""
    if 200 <= status < 300:
        return "2xx"
    if status == 404:
        return "404"
    if 400 <= status < 500:
        return "4xx"
    if status >= 500:
        return "5xx"
    return None


@dataclass
class OperationResult:
    label: str
    cases: int = 0
    answers: Counter[str] = field(default_factory=Counter)
    """Cases by the class of their answer (`ANSWER_CLASSES`); a case without an answer is in none."""
    known: list[Finding] = field(default_factory=list)
    new: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    missing_test_data: bool = False
    """Schemathesis' "Missing test data" warning: valid cases met nothing but 404s, so the logic was never reached."""
    served: bool = False

    @property
    def ok(self) -> bool:
        return not self.new and not self.errors

    @property
    def reached(self) -> float:
        """The share of cases answered with something other than 404: how often fuzzing got past the lookup."""
        return (self.cases - self.answers["404"]) / self.cases if self.cases else 0.0

    def counts(self) -> dict[str, int]:
        """The report's figures: cases and the answers by class."""
        return {"cases": self.cases, **{name: self.answers[name] for name in ANSWER_CLASSES}}


@dataclass
class TargetResult:
    target: str
    url: str
    seed: int | None
    operations: dict[str, OperationResult] = field(default_factory=dict)
    scenarios: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    tally: Tally | None = None
    state_set_ups: int = 0
    """How many times an operation's provider states were set up before it was fuzzed."""

    def operation(self, label: str) -> OperationResult:
        return self.operations.setdefault(label, OperationResult(label))

    @property
    def cases(self) -> int:
        return sum(operation.cases for operation in self.operations.values())

    @property
    def new(self) -> list[Finding]:
        return [finding for operation in self.operations.values() for finding in operation.new]

    @property
    def known(self) -> list[Finding]:
        return [finding for operation in self.operations.values() for finding in operation.known]

    @property
    def ok(self) -> bool:
        return not self.errors and all(operation.ok for operation in self.operations.values())
