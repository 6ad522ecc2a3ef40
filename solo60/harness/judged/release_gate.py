"""can-i-deploy for a release of every service at one version.

The services are versioned together and their pacts have cycles (user <-> session,
payment <-> subscription), so asking "can user go to production?" alone has no good answer
before the first release: its consumers' and providers' production versions do not exist
yet. The gate asks the broker the release's question instead, "can all of these versions go
to production together?", and gives each pacticipant its share of the broker's answer: the
broker's own reasons (its error notices) that name it, and the matrix rows it takes part in.
A pacticipant is deployable only when the broker gave no reason against it and at least one
of its pacts, as consumer or provider, is verified: no verified row is never a yes.

The gate only reads: the target environment must exist (`UnknownEnvironment` names the
known ones otherwise), so a mistyped name is an error rather than a new, empty environment.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from solo60.harness.broker_access import BrokerClient
from solo60.harness.judged.environments import environment_named
from solo60.harness.judged.matrix import Selector, Verdict, can_i_deploy


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
    client: BrokerClient, pacticipants: Sequence[str], version: str, environment: str = "production"
) -> ReleaseVerdict:
    """Ask the broker whether every pacticipant at `version` may go to `environment` together."""
    environment_named(client, environment)
    verdict = can_i_deploy(client, [Selector(name, version) for name in pacticipants], to_environment=environment)
    return ReleaseVerdict(
        environment=environment,
        version=version,
        broker=verdict,
        pacticipants=[judge(name, version, verdict) for name in pacticipants],
    )


def judge(pacticipant: str, version: str, verdict: Verdict) -> PacticipantVerdict:
    """One pacticipant's share of the broker's verdict: the broker's reasons that name it, else its rows."""
    named = re.compile(rf"\b(?:of|for) {re.escape(pacticipant)}\b")
    reasons = [notice.text for notice in verdict.notices if notice.type == "error" and named.search(notice.text)]
    mine = [row for row in verdict.rows if pacticipant in (row.consumer, row.provider)]
    if not reasons:  # a broker whose reasons are worded otherwise: the rows still say what is missing
        for row in mine:
            if row.success is None:
                reasons.append(f"the pact {row.pair} is not verified by {row.provider} {version}")
            elif not row.success:
                reasons.append(f"the verification of {row.pair} failed")
    if not reasons and not any(row.success for row in mine):
        reasons.append(f"the broker has no verified pact of {pacticipant} {version}, as consumer or provider")
    return PacticipantVerdict(pacticipant, version, deployable=not reasons, reasons=reasons)
