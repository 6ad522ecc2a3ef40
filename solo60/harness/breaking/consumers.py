"""The consumer pacts that matter to the gate, from `pacts/` or from a broker.

Offline, every pact in the pacts folder is a consumer that matters (the working tree's
consumers, as the last complete run of `pytest consumers/` wrote them). With a broker, the ones
that matter are those a provider verifies before a release: each consumer's latest version on
its main branch, and every version deployed or released in the environments named (all of them
when none is named). They come from the broker's pacts-for-verification, whose notices say
why each pact was selected; a version only on a feature branch is not among them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from solo60.harness.made.pact_files import pact_files


@dataclass(frozen=True)
class ConsumerPact:
    """One consumer version's pact with a provider, and why it matters."""

    consumer: str
    provider: str
    version: str  # the consumer's version, or "working tree" for pacts/
    why: str  # "branch main", "deployed in production", "pacts/session-gym.json"
    content: dict[str, Any]


class ConsumersError(RuntimeError):
    """The pacts cannot be read; the message says which and why."""


def local_pacts(pacts_dir: Path, provider: str) -> list[ConsumerPact]:
    if not pacts_dir.is_dir():
        raise ConsumersError(f"no pacts folder at {pacts_dir} (run `pytest consumers/` first, or give --pacts-dir)")
    try:
        found = pact_files(pacts_dir, provider=provider)
        return [
            ConsumerPact(
                pact.consumer,
                pact.provider,
                "working tree",
                f"{pacts_dir.name}/{pact.path.name}",
                json.loads(pact.path.read_text()),
            )
            for pact in found
        ]
    except (OSError, ValueError, KeyError) as problem:
        raise ConsumersError(f"cannot read the pacts in {pacts_dir}: {problem}") from None
