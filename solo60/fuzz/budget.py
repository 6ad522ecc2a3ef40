"""How much to fuzz, and the Schemathesis configuration that does it with every check on.

The configuration is built here rather than read from a `schemathesis.toml`, so a stray file
in the working directory cannot turn a check off.
"""

from __future__ import annotations

import os
import random
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from schemathesis import Config
from schemathesis.config import SchemathesisConfig

CHECKS: tuple[str, ...] = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "missing_required_header",
    "unsupported_method",
    "allow_header_conformance",
    "ignored_auth",
    "use_after_free",
    "ensure_resource_availability",
)
"""Every built-in check but two, each named so a Schemathesis upgrade cannot drop one silently."""

CHECKS_NOT_RUN: Mapping[str, str] = {
    "max_response_time": "performance is measured by benchmarks/fuzz_throughput.py, not asserted per request",
    "object_level_authorization": "callers hold one service key each; there is no second identity to compare",
}

CI_MAX_EXAMPLES = 8
NIGHTLY_MAX_EXAMPLES = 200
CI_SEED = 6061
"""CI fuzzes the same cases on every run, so a new failure means new code, not new luck."""


@dataclass(frozen=True)
class Budget:
    """Examples per operation in the fuzzing phase, stateful scenarios and their length, the seed."""

    max_examples: int = CI_MAX_EXAMPLES
    seed: int | None = None
    stateful: bool = True
    stateful_steps: int = 6
    coverage: bool = True
    examples: bool = True
    request_timeout: float = 10.0
    provider_states: bool = True
    """Set up each operation's provider states and put the values they create into its cases."""

    def __post_init__(self) -> None:
        if self.max_examples < 1:
            raise ValueError("max_examples must be at least 1")
        if self.stateful_steps < 2:
            raise ValueError("stateful_steps must be at least 2")

    def seeded(self) -> Budget:
        """This budget with a seed drawn now when it has none, so the run can be repeated."""
        return self if self.seed is not None else replace(self, seed=random.randrange(2**31))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Budget:
        """The test suite's budget: `SOLO60_FUZZ_MAX_EXAMPLES` and `SOLO60_FUZZ_SEED` raise it for nightly runs."""
        env = os.environ if environ is None else environ
        examples = int(env.get("SOLO60_FUZZ_MAX_EXAMPLES") or CI_MAX_EXAMPLES)
        seed = int(env.get("SOLO60_FUZZ_SEED") or CI_SEED)
        return cls(max_examples=examples, seed=seed)

    def config(self, auth: Mapping[str, Any], *, base_url: str | None = None) -> SchemathesisConfig:
        """Schemathesis' configuration: every check in `CHECKS` on, the others off, failures all reported."""
        checks: dict[str, Any] = {name: {"enabled": True} for name in CHECKS}
        checks["response_schema_conformance"] = {"enabled": True, "validate-formats": True}
        checks["object_level_authorization"] = {"enabled": False}
        data: dict[str, Any] = {
            "continue-on-failure": True,
            # Schemathesis replays failures cached in ./.schemathesis from earlier runs; a run must
            # depend on its seed and budget only, not on the directory or the history.
            "cache": {"enabled": False},
            # Hypothesis' timing health check fails on a busy CI box without saying anything about the API.
            "suppress-health-check": ["too_slow"],
            "request-timeout": self.request_timeout,
            "auth": dict(auth),
            "checks": checks,
            "generation": {"max-examples": self.max_examples},
            "phases": {
                "examples": {"enabled": self.examples},
                "coverage": {"enabled": self.coverage},
                "stateful": {"enabled": self.stateful, "max-steps": self.stateful_steps},
            },
        }
        if self.seed is not None:
            data["seed"] = self.seed
        if base_url is not None:
            data["base-url"] = base_url
        return Config.from_dict(data)


PIPELINE_BUDGET = Budget(max_examples=1, seed=CI_SEED, coverage=False, stateful=False)
"""`solo60 pipeline`'s smoke run: the documents' examples and one generated case per operation, in seconds."""
