"""JSON for pacts-for-verification, with the notices the verifier prints.

Every entry has `shortDescription`, `verificationProperties.notices` (objects of strings) and
`_links.self` whose metadata segment carries the selectors, pending and WIP flags back to the
broker with the verification result. Missing any of these makes the Rust verifier silently
treat the whole list as empty.
"""

from __future__ import annotations

from typing import Any

from broker import paths
from broker.api.decorators.pacts import pact_title
from broker.api.links import Links, link
from broker.pacts.for_verification import PactsForVerification, VerifiablePact
from broker.pacts.metadata import PactMetadata, SelectorMetadata
from broker.pacts.selection import Selection

READ_MORE_PENDING = "Read more at https://docs.pact.io/go/pending"
READ_MORE_WIP = "Read more at https://docs.pact.io/go/wip"


def _quoted_list(items: list[str]) -> str:
    quoted = [f"'{item}'" for item in items]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


def short_description(selection: Selection) -> str:
    selector = selection.selector
    kind = selector.kind
    if kind == "main_branch":
        return "latest from main branch"
    if kind == "branch":
        branch = selector.fallback_branch if selection.fallback_used else selector.branch
        return f"latest from branch {branch}"
    if kind == "latest_tag":
        tag = selector.fallback_tag if selection.fallback_used else selector.tag
        return f"latest with tag {tag}"
    if kind == "all_tag":
        return f"one of {selector.consumer} {selector.tag}" if selector.consumer else f"one of {selector.tag}"
    if kind == "deployed":
        return f"deployed to {selection.environment}"
    if kind == "released":
        return f"released in {selection.environment}"
    return "latest"


def long_description(selection: Selection, provider_name: str) -> str:
    selector = selection.selector
    number = selection.publication.consumer_version_number
    version_label = f"version of {selector.consumer}" if selector.consumer else "version"
    kind = selector.kind
    if kind == "main_branch":
        text = f"latest {version_label} from the main branch"
    elif kind == "branch":
        if selection.fallback_used:
            text = (
                f"latest {version_label} from branch '{selector.fallback_branch}' "
                f"(fallback branch used as no pact was found from branch '{selector.branch}')"
            )
        else:
            text = f"latest {version_label} from branch '{selector.branch}'"
    elif kind == "latest_tag":
        if selection.fallback_used:
            text = (
                f"latest {version_label} tagged '{selector.fallback_tag}' "
                f"(fallback tag used as no pact was found with tag '{selector.tag}')"
            )
        else:
            text = f"latest {version_label} tagged '{selector.tag}'"
    elif kind == "all_tag":
        who = f"{selector.consumer} versions" if selector.consumer else "consumer versions"
        text = f"all {who} tagged '{selector.tag}'"
    elif kind == "deployed":
        who = f"version(s) of {selector.consumer}" if selector.consumer else "consumer version(s)"
        text = f"{who} currently deployed to {selection.environment}"
    elif kind == "released":
        who = f"version(s) of {selector.consumer}" if selector.consumer else "consumer version(s)"
        text = f"{who} released and supported in {selection.environment}"
    else:
        who = selector.consumer or "a consumer"
        text = f"latest version of {who} that has a pact with {provider_name}"
    return f"{text} ({number})"


def _metadata(item: VerifiablePact, include_pending: bool) -> str:
    selectors = tuple(
        SelectorMetadata(
            consumer_version_id=s.publication.consumer_version_id,
            branch=(s.selector.fallback_branch if s.fallback_used else s.selector.branch),
            tag=(s.selector.fallback_tag if s.fallback_used else s.selector.tag),
            latest=s.selector.latest or None,
            environment=s.environment,
        )
        for s in item.selections
    )
    pending = item.pending.pending if (include_pending or item.wip) and item.pending is not None else None
    return PactMetadata(selectors, pending, item.wip).encode()


def _pending_scope(result: PactsForVerification, item: VerifiablePact, article: str) -> str:
    provider = result.provider.name
    branch = result.query.provider_version_branch
    if branch:
        return f"{article} version of {provider} from branch '{branch}'"
    tags = list(item.pending.pending_tags if item.pending else ())
    if not tags:
        return provider
    if len(tags) == 1:
        return f"{article} version of {provider} with tag '{tags[0]}'"
    return f"{article} versions of {provider} with tag {_quoted_list(tags)}"


def _notices(result: PactsForVerification, item: VerifiablePact, url: str) -> list[dict[str, str]]:
    provider = result.provider.name
    publication = item.publication
    if item.wip:
        heads = [s.selector for s in item.selections]
        branch_names = [s.branch for s in heads if s.branch]
        tag_names = [s.tag for s in heads if s.tag]
        parts = []
        if branch_names:
            parts.append(f"from {'branch' if len(branch_names) == 1 else 'branches'} {_quoted_list(branch_names)}")
        if tag_names:
            parts.append(f"tagged with {_quoted_list(tag_names)}")
        versions = "version" if len(heads) == 1 else "versions"
        inclusion = (
            f"The pact at {url} is being verified because it is a 'work in progress' pact (ie. it is the pact for "
            f"the latest {versions} of {publication.consumer_name} {' and '.join(parts)} and is still in pending "
            f"state). {READ_MORE_WIP}"
        )
    else:
        criteria = "criteria" if len(item.selections) > 1 else "criterion"
        versions = "the consumer versions" if len(item.selections) > 1 else "the consumer version"
        lines = "\n".join(f"    * {long_description(s, provider)}" for s in item.selections)
        inclusion = (
            f"The pact at {url} is being verified because the pact content belongs to {versions} matching the "
            f"following {criteria}:\n{lines}"
        )
    notices = [{"when": "before_verification", "text": inclusion}]
    if item.pending is None or not (result.query.include_pending_status or item.wip):
        return notices
    if item.pending.pending:
        notices.append(
            {
                "when": "before_verification",
                "text": f"This pact is in pending state for this version of {provider} because a successful "
                f"verification result for {_pending_scope(result, item, 'a')} has not yet been published. If this "
                f"verification fails, it will not cause the overall build to fail. {READ_MORE_PENDING}",
            }
        )
        scope = _pending_scope(result, item, "any")
        tags = item.pending.pending_tags if not result.query.provider_version_branch else ()
        these = "" if not tags else ("with this tag " if len(tags) == 1 else "with these tags ")
        still = (
            f"This pact is still in pending state for {scope} as a successful verification result "
            f"{these}has not yet been published"
        )
        notices += [
            {
                "when": "after_verification:success_true_published_false",
                "text": f"This pact is still in pending state for {scope} as the successful verification results "
                f"{these}have not yet been published.",
            },
            {
                "when": "after_verification:success_false_published_false",
                "text": still,
            },
            {
                "when": "after_verification:success_true_published_true",
                "text": f"This pact is no longer in pending state for {scope}, as a successful verification "
                f"result {these}has been published. If a verification for a version of {provider} {these}fails in "
                f"the future, it will fail the build. {READ_MORE_PENDING}",
            },
            {"when": "after_verification:success_false_published_true", "text": still},
        ]
    else:
        branch = result.query.provider_version_branch
        if branch:
            by = f"a version of {provider} from branch '{branch}'"
        elif item.pending.non_pending_tags:
            by = f"a version of {provider} with tag {_quoted_list(list(item.pending.non_pending_tags))}"
        else:
            by = provider
        notices.append(
            {
                "when": "before_verification",
                "text": f"This pact has previously been successfully verified by {by}. If this verification fails, "
                f"it will fail the build. {READ_MORE_PENDING}",
            }
        )
    return notices


def pacts_for_verification(links: Links, result: PactsForVerification) -> dict[str, Any]:
    provider = result.provider.name
    items = []
    for item in result.pacts:
        publication = item.publication
        metadata = _metadata(item, result.query.include_pending_status)
        url = links.pact_version(provider, publication.consumer_name, publication.sha, metadata)
        properties: dict[str, Any] = {}
        if result.query.include_pending_status or item.wip:
            properties["pending"] = bool(item.pending.pending) if item.pending else False
        if item.wip:
            properties["wip"] = True
        properties["notices"] = _notices(result, item, url)
        items.append(
            {
                "shortDescription": ", ".join(dict.fromkeys(short_description(s) for s in item.selections)),
                "verificationProperties": properties,
                "_links": {
                    "self": link(
                        url,
                        name=pact_title(publication),
                    )
                },
            }
        )
    return {
        "_embedded": {"pacts": items},
        "_links": {
            "self": link(
                links.url(f"/pacts/provider/{paths.segment(provider)}/for-verification"),
                "Pacts to be verified",
            )
        },
    }
