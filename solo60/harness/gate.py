"""can-i-deploy for a release of every service at one version.

The services are versioned together and their pacts have cycles (user <-> session,
payment <-> subscription), so asking "can user go to production?" alone has no good answer
before the first release: its consumers' and providers' production versions do not exist
yet. The gate asks the broker the release's question instead, "can all of these versions go
to production together?", and gives each pacticipant its verdict from the matrix rows it
takes part in: deployable when every pact it has, as consumer or provider, was verified
successfully by the version going with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from solo60.harness.broker_api import BrokerAPI, MatrixRow, Selector, Verdict


@dataclass
class PacticipantVerdict:
    pacticipant: str
    version: str
    deployable: bool
    reasons: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return "yes" if self.deployable else "no"


@dataclass
class ReleaseVerdict:
    environment: str
    version: str
    broker: Verdict
    pacticipants: list[PacticipantVerdict]

    @property
    def deployable(self) -> bool:
        return self.broker.yes and all(item.deployable for item in self.pacticipants)


def release_gate(
    broker: BrokerAPI, pacticipants: Sequence[str], version: str, environment: str = "production"
) -> ReleaseVerdict:
    """Ask the broker whether every pacticipant at `version` may go to `environment` together."""
    broker.ensure_environment(environment, production=environment == "production")
    verdict = broker.can_i_deploy([Selector(name, version) for name in pacticipants], to_environment=environment)
    return ReleaseVerdict(
        environment=environment,
        version=version,
        broker=verdict,
        pacticipants=[_judge(name, version, verdict.rows) for name in pacticipants],
    )


def _judge(pacticipant: str, version: str, rows: Sequence[MatrixRow]) -> PacticipantVerdict:
    mine = [row for row in rows if pacticipant in (row.consumer, row.provider)]
    reasons = []
    for row in mine:
        if row.success is None:
            reasons.append(f"the pact {row.pair} is not verified by {row.provider} {version}")
        elif not row.success:
            reasons.append(f"the verification of {row.pair} failed")
    return PacticipantVerdict(pacticipant, version, deployable=not reasons, reasons=reasons)
