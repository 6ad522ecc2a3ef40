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

CONTRACT_ROW = {
    True: Shown(
        "success",
        "✔",
        "Verified by contract",
        "success",
        "The provider version's self-verified contract vouches for it",
    ),
    False: Shown(
        "failed",
        "✘",
        "Contract check failed",
        "danger",
        "The pact is incompatible with the provider version's contract, or the contract's self-verification failed",
    ),
}

SELF_VERIFICATION = {
    True: Shown("success", "✔", "Self-verified", "success", "The provider's own tests of its contract passed"),
    False: Shown("failed", "✘", "Self-verification failed", "danger", "The contract vouches for no pact"),
    None: Shown("unknown", "?", "No self-verification reported", "muted", "The contract vouches for no pact"),
}

COMPARISON = {
    True: Shown("compatible", "✔", "Compatible", "success", "Every interaction is allowed by the document"),
    False: Shown("incompatible", "✘", "Incompatible", "danger", "The comparator found errors"),
}

COMPARATOR_RESULT = {
    "error": Shown("error", "✘", "error", "danger", "The pact asks for something the document does not allow"),
    "warning": Shown("warning", "⚠", "warning", "warning", "Allowed, but worth a look"),
    "info": Shown("info", "i", "info", "muted"),
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


COVERAGE = {
    True: Shown("covered", "✔", "Used", "success", "At least one consumer's pact reaches this response"),
    False: Shown("unused", "-", "Not used", "muted", "No consumer's pact reaches this response"),
}

COVERAGE_USE = {
    "verified": Shown("verified", "✔", "Verified by the provider", "success", "The provider verified this pact"),
    "compatible": Shown(
        "compatible", "✔", "Compatible by comparison", "success", "Not verified, but the contract allows it"
    ),
    "incompatible": Shown(
        "incompatible", "✘", "Incompatible by comparison", "danger", "Not verified, and the contract does not allow it"
    ),
}


def verification_of(success: bool | None, pending: bool | None = None) -> Shown:
    if success is False and pending:
        return VERIFICATION[PseudoBranchStatus.FAILED_PENDING]
    return ROW[success]
