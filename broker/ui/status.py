"""The UI's status vocabulary: every status is a word and a symbol, and a colour only on top.

Verification statuses follow the official index: success, stale (the pact changed since the last
successful verification), failed, failed while the pact was pending, never verified.
"""

from __future__ import annotations

from dataclasses import dataclass

from broker.verifications.pseudo_branch_status import PseudoBranchStatus
from broker.webhooks.status import WebhookStatus


@dataclass(frozen=True)
class Shown:
    """How a status is shown: `symbol` and `text` always, `tone` (a CSS class) for colour."""

    key: str
    symbol: str
    text: str
    tone: str
    explanation: str = ""


VERIFICATION = {
    PseudoBranchStatus.SUCCESS: Shown("success", "✔", "Verified", "success", "The latest pact is verified"),
    PseudoBranchStatus.STALE: Shown(
        "stale", "⚠", "Changed", "warning", "The pact changed since its last successful verification"
    ),
    PseudoBranchStatus.FAILED: Shown("failed", "✘", "Failed", "danger", "The latest verification failed"),
    PseudoBranchStatus.FAILED_PENDING: Shown(
        "failed_pending",
        "✘",
        "Failed (pact pending)",
        "danger",
        "The verification failed, but did not fail the provider's build: the pact was pending",
    ),
    PseudoBranchStatus.NEVER: Shown("never", "?", "Never verified", "muted", "No verification results yet"),
}

WEBHOOK = {
    WebhookStatus.NONE: Shown("none", "-", "No webhooks", "muted"),
    WebhookStatus.NOT_RUN: Shown("not_run", "…", "Not run", "muted"),
    WebhookStatus.RETRYING: Shown("retrying", "↻", "Retrying", "warning"),
    WebhookStatus.SUCCESS: Shown("success", "✔", "Succeeded", "success"),
    WebhookStatus.FAILURE: Shown("failure", "✘", "Failed", "danger"),
}

ROW = {
    True: Shown("success", "✔", "Verified", "success"),
    False: Shown("failed", "✘", "Failed", "danger"),
    None: Shown("unknown", "?", "Not verified", "muted"),
}

VERDICT = {
    True: Shown("deployable", "✔", "Yes: safe to deploy", "success"),
    False: Shown("not_deployable", "✘", "No: not safe to deploy", "danger"),
    None: Shown("unknown", "?", "Unknown: the results are not all in", "warning"),
}

EXECUTION = {
    True: Shown("success", "✔", "Succeeded", "success"),
    False: Shown("failure", "✘", "Failed", "danger"),
}

TRIGGERED = {
    "success": Shown("success", "✔", "Succeeded", "success"),
    "failure": Shown("failure", "✘", "Failed", "danger"),
    "retrying": Shown("retrying", "↻", "Retrying", "warning"),
    "not_run": Shown("not_run", "…", "Not run yet", "muted"),
}


def verification_of(success: bool | None, pending: bool | None = None) -> Shown:
    if success is False and pending:
        return VERIFICATION[PseudoBranchStatus.FAILED_PENDING]
    return ROW[success]
