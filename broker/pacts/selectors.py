"""Consumer version selectors: parsing, the official validation rules, and normalisation.

After normalisation every selector is one of: head of a branch (main, named or matching the
provider's), latest or all with a tag, overall latest, or currently deployed / released
(optionally in one environment), each optionally restricted to one consumer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from broker.errors import InvalidInputError
from broker.limits import MAX_SELECTORS, MAX_TAGS, at_most
from broker.names import name_problem

BRANCH_KEYS = ("latest", "tag", "fallbackTag", "branch", "fallbackBranch", "matchingBranch", "mainBranch")
ENVIRONMENT_KEYS = ("environment", "deployed", "released", "deployedOrReleased")
BOOLEAN_KEYS = ("latest", "matchingBranch", "mainBranch", "deployed", "released", "deployedOrReleased")
STRING_KEYS = ("tag", "fallbackTag", "branch", "fallbackBranch", "environment", "consumer")
KNOWN_KEYS = set(BOOLEAN_KEYS) | set(STRING_KEYS)


@dataclass(frozen=True)
class Selector:
    main_branch: bool = False
    branch: str | None = None
    matching_branch: bool = False
    fallback_branch: str | None = None
    tag: str | None = None
    fallback_tag: str | None = None
    latest: bool = False
    deployed: bool = False
    released: bool = False
    environment: str | None = None
    consumer: str | None = None

    @property
    def kind(self) -> str:
        if self.main_branch:
            return "main_branch"
        if self.branch is not None:
            return "branch"
        if self.tag is not None:
            return "latest_tag" if self.latest else "all_tag"
        if self.deployed:
            return "deployed"
        if self.released:
            return "released"
        return "latest"

    def as_json(self) -> dict[str, Any]:
        """The selector as the official broker echoes it (camelCase, only what was set)."""
        result: dict[str, Any] = {}
        if self.main_branch:
            result["mainBranch"] = True
        if self.branch is not None:
            result["branch"] = self.branch
        if self.matching_branch:
            result["matchingBranch"] = True
        if self.fallback_branch is not None:
            result["fallbackBranch"] = self.fallback_branch
        if self.tag is not None:
            result["tag"] = self.tag
        if self.fallback_tag is not None:
            result["fallbackTag"] = self.fallback_tag
        if self.latest:
            result["latest"] = True
        if self.deployed:
            result["deployed"] = True
        if self.released:
            result["released"] = True
        if self.environment is not None:
            result["environment"] = self.environment
        if self.consumer is not None:
            result["consumer"] = self.consumer
        return result


@dataclass(frozen=True)
class VerificationQuery:
    provider_version_branch: str | None
    provider_version_tags: tuple[str, ...]
    selectors: tuple[Selector, ...]
    explicit_selectors: bool
    include_pending_status: bool
    include_wip_pacts_since: datetime | None


def _selector_problems(raw: Any, provider_branch: str | None) -> list[str]:
    if not isinstance(raw, dict):
        return ["must be an object"]
    problems = [f"'{key}' is not a selector key" for key in raw if key not in KNOWN_KEYS]
    for key in BOOLEAN_KEYS:
        if key in raw and not isinstance(raw[key], bool):
            problems.append(f"'{key}' must be true or false")
        elif key != "latest" and raw.get(key) is False:
            problems.append(f"'{key}' can only be true (leave it out otherwise)")
    for key in STRING_KEYS:
        if key in raw:
            problem = name_problem(raw[key], key)
            if problem:
                problems.append(problem)
    if problems:
        return problems
    given = {key for key, value in raw.items() if value is not None and value is not False}
    if raw.get("latest") is False:
        given.add("latestFalse")
    meaningful = given - {"consumer", "latestFalse"}
    if not meaningful:
        problems.append(
            "must specify a value for environment or tag or branch, or specify mainBranch=true, "
            "matchingBranch=true, latest=true, deployed=true, released=true or deployedOrReleased=true"
        )
    branchish = given & set(BRANCH_KEYS)
    environmentish = given & set(ENVIRONMENT_KEYS)
    if branchish and environmentish:
        problems.append("cannot combine branch, tag or latest keys with environment, deployed or released keys")
    if raw.get("mainBranch") and given - {"mainBranch", "consumer", "latest"}:
        problems.append("mainBranch can only be combined with consumer")
    if raw.get("matchingBranch"):
        if given - {"matchingBranch", "consumer", "latest"}:
            problems.append("matchingBranch can only be combined with consumer")
        if not provider_branch:
            problems.append("matchingBranch can only be used when providerVersionBranch is specified")
    if "tag" in given and "branch" in given:
        problems.append("cannot specify both a tag and a branch")
    if raw.get("fallbackTag") is not None and not (raw.get("tag") and raw.get("latest")):
        problems.append("fallbackTag can only be set if tag is set and latest=true")
    if raw.get("fallbackBranch") is not None and not raw.get("branch"):
        problems.append("fallbackBranch can only be set if branch is set")
    if raw.get("latest") is False and ("branch" in given or "mainBranch" in given or "matchingBranch" in given):
        problems.append("latest=false cannot be used with a branch (a branch selector always means its latest)")
    if raw.get("latest") is False and "tag" not in given and not problems:
        problems.append("latest=false can only be used with a tag")
    if raw.get("deployed") and raw.get("released"):
        problems.append("cannot specify both deployed=true and released=true; use deployedOrReleased=true")
    if raw.get("deployedOrReleased") and (raw.get("deployed") or raw.get("released")):
        problems.append("deployedOrReleased cannot be combined with deployed or released")
    return problems


def _normalise(raw: dict[str, Any], provider_branch: str | None) -> list[Selector]:
    base = Selector(consumer=raw.get("consumer"))
    if raw.get("mainBranch"):
        return [replace(base, main_branch=True, latest=True)]
    if raw.get("matchingBranch"):
        return [replace(base, branch=provider_branch, matching_branch=True, latest=True)]
    if raw.get("branch"):
        return [replace(base, branch=raw["branch"], fallback_branch=raw.get("fallbackBranch"), latest=True)]
    if raw.get("tag"):
        return [replace(base, tag=raw["tag"], fallback_tag=raw.get("fallbackTag"), latest=bool(raw.get("latest")))]
    environment = raw.get("environment")
    deployed, released = bool(raw.get("deployed")), bool(raw.get("released"))
    if raw.get("deployedOrReleased") or (environment and not deployed and not released):
        deployed = released = True
    if deployed or released:
        selectors = []
        if deployed:
            selectors.append(replace(base, deployed=True, environment=environment))
        if released:
            selectors.append(replace(base, released=True, environment=environment))
        return selectors
    return [replace(base, latest=True)]


def parse_since(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(
            "includeWipPactsSince is invalid", {"includeWipPactsSince": ["must be a date or date-time"]}
        )
    text = value.strip()
    try:
        if len(text) == 10:
            parsed = datetime.combine(date.fromisoformat(text), datetime.min.time())
        else:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInputError(
            "includeWipPactsSince is invalid", {"includeWipPactsSince": ["must be a date or date-time"]}
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_query(body: dict[str, Any]) -> VerificationQuery:
    """The pacts-for-verification request, validated like the official broker validates it."""
    errors: dict[str, list[str]] = {}
    branch = body.get("providerVersionBranch")
    if branch is not None:
        problem = name_problem(branch, "providerVersionBranch")
        if problem:
            errors["providerVersionBranch"] = [problem]
            branch = None
    tags = body.get("providerVersionTags") or []
    if isinstance(tags, list):
        at_most(tags, MAX_TAGS, "providerVersionTags", "provider version tags")
    if not isinstance(tags, list) or any(name_problem(tag, "tag") for tag in tags):
        errors["providerVersionTags"] = ["must be a list of non-blank tag names"]
        tags = []
    pending = body.get("includePendingStatus", False)
    if pending is None:
        pending = False
    if not isinstance(pending, bool):
        errors["includePendingStatus"] = ["must be true or false"]
    try:
        since = parse_since(body.get("includeWipPactsSince"))
    except InvalidInputError as error:
        errors.update(error.errors)  # type: ignore[arg-type]
        since = None
    raw_selectors = body.get("consumerVersionSelectors") or []
    if not isinstance(raw_selectors, list):
        errors["consumerVersionSelectors"] = ["must be a list"]
        raw_selectors = []
    at_most(raw_selectors, MAX_SELECTORS, "consumerVersionSelectors", "consumer version selectors")
    selectors: dict[Selector, None] = {}  # insertion-ordered and deduplicated in linear time
    for index, raw in enumerate(raw_selectors):
        problems = _selector_problems(raw, branch)
        if problems:
            errors[f"consumerVersionSelectors[{index}]"] = problems
        else:
            selectors.update(dict.fromkeys(_normalise(raw, branch)))
    if errors:
        raise InvalidInputError("The pacts for verification query is invalid", errors)
    return VerificationQuery(
        provider_version_branch=branch,
        provider_version_tags=tuple(tags),
        selectors=tuple(selectors),
        explicit_selectors=bool(raw_selectors),
        include_pending_status=bool(pending),
        include_wip_pacts_since=since,
    )


def environments_named(selectors: Sequence[Selector]) -> set[str]:
    return {selector.environment for selector in selectors if selector.environment is not None}
