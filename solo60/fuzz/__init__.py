"""Fuzzing every live internal endpoint, and the broker, with Schemathesis.

Pacts prove what consumers use; fuzzing proves the providers hold up for everything else
their OpenAPI document allows or forbids. The pieces, one job each:

- `targets`: what can be fuzzed (the seven services and the broker), its document and auth
- `budget`: how much to generate, and the Schemathesis configuration with every check on
- `baseline`: findings accepted on purpose or pending their owner (`baseline.json`)
- `schema`: a target's Schemathesis schema, with the baseline applied to every failure
- `live`: starting targets on free ports, seeding and resetting their data
- `pact_states`: the provider states the pacts set up, per operation
- `seeding`: each operation's states set up before it is fuzzed, their values in its cases
- `runner`: one engine run over a live target, counted per operation
- `results`: what a run found, per target and operation (no Schemathesis needed to read it)
- `report`: the rich table (each operation's answers), the JUnit file, the JSON answers

`solo60 fuzz` drives them from the command line, `solo60 pipeline` runs a small budget as a
stage, and `tests/fuzz/` runs them through Schemathesis' pytest integration.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from solo60.fuzz.baseline import Baseline, BaselineEntry, Finding, Tally
    from solo60.fuzz.budget import CHECKS, Budget
    from solo60.fuzz.targets import TARGET_NAMES, FuzzTarget, UnknownTarget, fuzz_target

# Loaded on first use: importing `solo60.fuzz.targets` (as the `solo60` command does for its help)
# must not load Schemathesis, a second of start-up for every other command.
_SOURCES = {
    "Baseline": "baseline",
    "BaselineEntry": "baseline",
    "Finding": "baseline",
    "Tally": "baseline",
    "CHECKS": "budget",
    "Budget": "budget",
    "TARGET_NAMES": "targets",
    "FuzzTarget": "targets",
    "UnknownTarget": "targets",
    "fuzz_target": "targets",
}


def __getattr__(name: str) -> Any:
    if name in _SOURCES:
        return getattr(import_module(f"solo60.fuzz.{_SOURCES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CHECKS",
    "TARGET_NAMES",
    "Baseline",
    "BaselineEntry",
    "Budget",
    "Finding",
    "FuzzTarget",
    "Tally",
    "UnknownTarget",
    "fuzz_target",
]
