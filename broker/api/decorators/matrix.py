"""JSON for matrix and can-i-deploy answers, including the reason texts.

Reasons are values (`broker.matrix.reasons`); their wording lives here, at the edge.
"""

from __future__ import annotations

from typing import Any

from broker.api.decorators.common import timestamp
from broker.api.links import Links, link
from broker.matrix import reasons
from broker.matrix.query_results import ConsideredRow, QueryResults
from broker.matrix.repository import MatrixRow
from broker.matrix.selectors import ResolvedSelector
from broker.paths import bi_directional
from broker.provider_contracts.cross_contracts import COMPARATOR, COMPARATOR_VERSION
from broker.provider_contracts.models import ContractVerdict
from broker.versions.models import VersionLabels


def _missing_version_text(selector: ResolvedSelector) -> str:
    name = selector.pacticipant_name
    if selector.tag:
        return f"No version with tag {selector.tag} exists for {name}"
    if selector.branch:
        return f"No version of {name} from branch {selector.branch} exists"
    if selector.main_branch:
        return f"No version of {name} from the main branch exists"
    if selector.environment:
        return (
            f"No version of {name} is currently recorded as deployed or released in environment {selector.environment}"
        )
    if selector.version_number:
        return f"No pacts or verifications have been published for version {selector.version_number} of {name}"
    return f"No pacts or verifications have been published for {name}"


MISMATCHES_NAMED = 5


def why_incompatible(verdict: ContractVerdict) -> str:
    """The comparator's error codes and the interactions they were found in, or why there are
    none (the self-verification failed, or the pact could not be compared)."""
    parts = []
    if not verdict.self_verified:
        parts.append("the provider's self-verification of its contract did not succeed")
    if verdict.problem:
        parts.append(f"the pact could not be compared ({verdict.problem})")
    named = [
        f"{m.code} in '{m.interaction}'" + (f" given '{m.state}'" if m.state else "")
        for m in verdict.mismatches[:MISMATCHES_NAMED]
    ]
    if len(verdict.mismatches) > MISMATCHES_NAMED:
        named.append(f"and {len(verdict.mismatches) - MISMATCHES_NAMED} more")
    if named:
        parts.append("; ".join(named))
    return "; ".join(parts) or "the pact is incompatible with the provider contract"


def reason_text(reason: reasons.Reason) -> str:
    match reason:
        case reasons.Successful():
            return "All required verification results are published and successful"
        case reasons.NoDependenciesMissing():
            return "There are no missing dependencies"
        case reasons.SpecifiedVersionDoesNotExist(selector=selector):
            return _missing_version_text(selector)
        case reasons.VerificationFailed(consumer=consumer, provider=provider):
            return f"The verification for the pact between {consumer.description()} and {provider.description()} failed"
        case reasons.CrossContractComparisonFailed(consumer=consumer, provider=provider, verdict=verdict):
            return (
                f"The cross contract comparison between the pact for {consumer.description()} and the oas for "
                f"{provider.description()} failed: {why_incompatible(verdict)}"
            )
        case reasons.PactNotEverVerifiedByProvider(consumer=consumer, provider=provider) | (
            reasons.PactNotVerifiedByRequiredProviderVersion(consumer=consumer, provider=provider)
        ):
            return f"There is no verified pact between {consumer.description()} and {provider.description()}"
        case reasons.IgnoreSelectorDoesNotExist(selector=selector):
            return f"WARN: Cannot ignore {selector.description()}"
        case reasons.NoEnvironmentSpecified():
            return (
                "WARN: It is recommended to specify the environment into which you are deploying. "
                "Without the environment, this result will not be reliable."
            )
        case reasons.SelectorWithoutPacticipantVersionNumberSpecified():
            return (
                "WARN: It is recommended to specify the version number (rather than the tag or branch) of the "
                "pacticipant you wish to deploy to avoid race conditions. Without a version number, this result "
                "will not be reliable."
            )
    return type(reason).__name__


def _version(links: Links, pacticipant: str, version_id: int, number: str, results: QueryResults) -> dict[str, Any]:
    labels = results.version_labels.get(version_id, VersionLabels())
    branch_versions = [
        {
            "name": ref.name,
            "latest": ref.latest,
            "_links": {"self": link(links.branch_version(pacticipant, ref.name, number), "Branch version", ref.name)},
        }
        for ref in labels.branches
    ]
    return {
        "number": number,
        "branch": labels.branches[-1].name if labels.branches else None,
        "branches": branch_versions,  # the official broker repeats branchVersions here (deprecated)
        "branchVersions": branch_versions,
        "environments": [{"name": name} for name in results.version_environments.get(version_id, [])],
        "tags": [
            {
                "name": ref.name,
                "latest": ref.latest,
                "_links": {"self": link(links.version_tag(pacticipant, number, ref.name))},
            }
            for ref in labels.tags
        ],
        "_links": {"self": link(links.version(pacticipant, number))},
    }


def _verification_result(links: Links, r: MatrixRow) -> dict[str, Any] | None:
    """The row's verification, or the provider contract standing in for one: the same keys, plus
    `verifiedBy` (our comparator) and the verdict's two halves; `self` is the pair's
    cross-contract verification results resource, as in PactFlow's rows."""
    if r.contract is not None and r.provider_version_number is not None:
        pair = bi_directional(r.provider_name, r.provider_version_number, r.consumer_name, r.consumer_version_number)
        provider_side = bi_directional(r.provider_name, r.provider_version_number)
        return {
            "success": r.success,
            "verifiedAt": timestamp(r.verified_at),
            "verifiedBy": {"implementation": COMPARATOR, "version": COMPARATOR_VERSION},
            "selfVerified": r.contract.self_verified,
            "compatible": r.contract.compatible,
            "_links": {
                "self": link(
                    links.url(f"{pair}/cross-contract-verification-results"), "Cross-contract verification results"
                ),
                "pf:provider-contract": link(links.url(f"{provider_side}/provider-contract"), "Provider contract"),
            },
        }
    if r.verification_id is None:
        return None
    return {
        "success": r.success,
        "verifiedAt": timestamp(r.verified_at),
        "_links": {"self": link(links.verification(r.provider_name, r.consumer_name, r.sha, r.verification_id))},
    }


def row(links: Links, considered: ConsideredRow, results: QueryResults) -> dict[str, Any]:
    r = considered.row
    result: dict[str, Any] = {
        "consumer": {
            "name": r.consumer_name,
            "_links": {"self": link(links.pacticipant(r.consumer_name))},
            "version": _version(links, r.consumer_name, r.consumer_version_id, r.consumer_version_number, results),
        },
        "provider": {
            "name": r.provider_name,
            "_links": {"self": link(links.pacticipant(r.provider_name))},
            "version": (
                _version(links, r.provider_name, r.provider_version_id, r.provider_version_number or "", results)
                if r.provider_version_id is not None
                else None
            ),
        },
        "pact": {
            "createdAt": timestamp(r.pact_created_at),
            "_links": {
                "self": link(links.pact_for_version(r.provider_name, r.consumer_name, r.consumer_version_number))
            },
        },
        "verificationResult": _verification_result(links, r),
    }
    if considered.ignored:
        result["ignored"] = True
    return result


def _notice_type(reason: reasons.Reason) -> str:
    return {"success": "success", "error": "error", "warning": "warning"}.get(reason.level, "info")


def matrix(links: Links, results: QueryResults) -> dict[str, Any]:
    summary = results.summary
    texts = [reason_text(reason) for reason in summary.reasons]
    counts: dict[str, Any] = {"success": summary.success, "failed": summary.failed, "unknown": summary.unknown}
    if summary.ignored is not None:
        counts["ignored"] = summary.ignored
    return {
        "summary": {"deployable": summary.deployable, "reason": "\n".join(texts), **counts},
        "notices": [
            {"type": _notice_type(reason), "text": text} for reason, text in zip(summary.reasons, texts, strict=True)
        ],
        "matrix": [row(links, considered, results) for considered in results.rows],
    }
