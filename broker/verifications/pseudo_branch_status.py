"""How the newest pact of a line of pacts (an integration, or its pacts with one tag) stands
against the newest verification of that line: the official broker's "pseudo branch" status.

Stale means the content changed since the last successful verification: the verification is
about older content. Failed-while-pending is a failure that did not fail the provider's build.
"""

from __future__ import annotations

from enum import Enum

from broker.verifications.models import Verification


class PseudoBranchStatus(Enum):
    SUCCESS = "success"
    STALE = "stale"
    FAILED = "failed"
    FAILED_PENDING = "failed_pending"
    NEVER = "never"


def pseudo_branch_status(latest_pact_sha: str | None, latest_verification: Verification | None) -> PseudoBranchStatus:
    """`latest_pact_sha` is None when there is no pact at all."""
    if latest_pact_sha is None or latest_verification is None:
        return PseudoBranchStatus.NEVER
    if latest_verification.success:
        return PseudoBranchStatus.STALE if latest_verification.sha != latest_pact_sha else PseudoBranchStatus.SUCCESS
    if latest_verification.pact_pending:
        return PseudoBranchStatus.FAILED_PENDING
    return PseudoBranchStatus.FAILED
