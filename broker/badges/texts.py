"""What badges say and in which colour: the official broker's wording.

Pact badges: "<consumer>/<provider> pact" (lowercased; a matrix badge adds " (tag)" to each
name) on the left, and verified / failed / failed (pending) / changed / unknown on the right.
`label=consumer|provider` keeps one name; `initials=true` shortens names to their initials
(split on spaces, `-` and `_`, else on CamelCase).
"""

from __future__ import annotations

import re

from broker.badges.svg import Badge
from broker.verifications.pseudo_branch_status import PseudoBranchStatus

_SEPARATORS = re.compile(r"[\s_\-]")

STATUS_TEXTS = {
    PseudoBranchStatus.SUCCESS: ("verified", "brightgreen"),
    PseudoBranchStatus.FAILED: ("failed", "red"),
    PseudoBranchStatus.FAILED_PENDING: ("failed (pending)", "red"),
    PseudoBranchStatus.STALE: ("changed", "orange"),
    PseudoBranchStatus.NEVER: ("unknown", "lightgrey"),
}


def _camel_case_parts(name: str) -> list[str]:
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    spaced = re.sub(r"([a-z\d])([A-Z])", r"\1_\2", spaced)
    return spaced.replace("-", "_").split("_")


def short_name(name: str, initials: bool, tag: str | None = None) -> str:
    suffix = f" ({tag})" if tag else ""
    if initials:
        parts = _SEPARATORS.split(name)
        if len(parts) == 1:
            parts = _camel_case_parts(name)
        if len(parts) > 1:
            return "".join(part[0] for part in parts if part).lower() + suffix
    return name.lower() + suffix


def pact_title(
    consumer: str,
    provider: str,
    *,
    label: str | None,
    initials: bool,
    consumer_tag: str | None = None,
    provider_tag: str | None = None,
) -> str:
    consumer_name = short_name(consumer, initials, consumer_tag)
    provider_name = short_name(provider, initials, provider_tag)
    chosen = (label or "").lower()
    title = (
        consumer_name
        if chosen == "consumer"
        else provider_name
        if chosen == "provider"
        else f"{consumer_name}/{provider_name}"
    )
    return f"{title} pact".lower()


def pact_badge(title: str, status: PseudoBranchStatus) -> Badge:
    text, colour = STATUS_TEXTS[status]
    return Badge(title, text, colour)


PACT_NOT_FOUND = Badge("pact not found", "unknown", "lightgrey")


def can_i_deploy_badge(source: str, environment: str, label: str | None, deployable: bool | None) -> Badge:
    return Badge(label or "can-i-deploy", f"{source} to {environment}", "brightgreen" if deployable else "red")


def can_i_merge_badge(deployable: bool | None) -> Badge:
    if deployable is None:
        return Badge("can-i-merge", "unknown", "lightgrey")
    return Badge("can-i-merge", "success" if deployable else "failed", "brightgreen" if deployable else "red")


def error_badge(left: str, right: str) -> Badge:
    return Badge(left, right, "lightgrey")
