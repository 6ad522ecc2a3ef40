"""Matrix and can-i-deploy query strings -> a validated MatrixQuery.

`/matrix` takes Rack-style `q[][pacticipant]=...` (or the flat `q[]pacticipant=...`) selectors,
`ignore[]` selectors, `latestby`, a destination (`latest`, `tag`, `environment`, `mainBranch`),
`success[]` (or `success`) and `limit`; `/matrix/provider/{p}/consumer/{c}` takes the same
options. `/can-i-deploy` takes `pacticipant`, `version` and `to` or `environment`.
"""

from __future__ import annotations

from dataclasses import dataclass

from broker.errors import InvalidInputError
from broker.limits import MAX_SELECTORS, at_most
from broker.matrix.selectors import UnresolvedSelector
from broker.nested_query import NestedQuery, whole_number

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
LATEST_BY = ("cvp", "cvpv", "cp")


@dataclass(frozen=True)
class MatrixQuery:
    selectors: tuple[UnresolvedSelector, ...]
    ignore: tuple[UnresolvedSelector, ...] = ()
    latestby: str | None = None
    latest: bool = False
    tag: str | None = None
    environment: str | None = None
    main_branch: bool = False
    limit: int = DEFAULT_LIMIT
    success: tuple[bool | None, ...] | None = None

    @property
    def has_destination(self) -> bool:
        return self.latest or self.tag is not None or self.environment is not None or self.main_branch


def _true_or_false(value: str | None, error_key: str, errors: dict[str, list[str]]) -> bool:
    """A true/false parameter: absent is false, anything else must say true or false."""
    if value is None:
        return False
    if value not in ("true", "false"):
        errors[error_key] = ["must be true or false"]
        return False
    return value == "true"


def _blank_to_none(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    return value


def _selector(item: dict[str, str], index: int, field: str, errors: dict[str, list[str]]) -> UnresolvedSelector | None:
    name = _blank_to_none(item.get("pacticipant"))
    if name is None:
        errors[f"{field}[{index}]"] = ["Please provide 'pacticipant'"]
        return None
    version = _blank_to_none(item.get("version"))
    latest = _true_or_false(item.get("latest"), f"{field}[{index}][latest]", errors)
    if version is not None and latest:
        errors[f"{field}[{index}]"] = ["A version number and latest flag cannot both be specified for " + name]
        return None
    return UnresolvedSelector(
        pacticipant_name=name,
        version_number=version,
        latest=latest,
        tag=_blank_to_none(item.get("tag")),
        branch=_blank_to_none(item.get("branch")),
        main_branch=_true_or_false(item.get("mainBranch"), f"{field}[{index}][mainBranch]", errors),
        environment=_blank_to_none(item.get("environment")),
    )


def _success_filter(query: NestedQuery, errors: dict[str, list[str]]) -> tuple[bool | None, ...] | None:
    """`success[]=true&success[]=` or plain `success=true`: the verification results to keep."""
    if "success" in query.arrays:
        raw = query.arrays["success"]
    elif "success" in query.scalars:
        raw = [query.scalars["success"]]
    else:
        return None
    values: list[bool | None] = []
    for value in raw:
        lowered = value.strip().lower()
        if lowered not in ("true", "false", ""):
            errors["success"] = ["must be true, false or blank"]
            return None
        values.append(None if lowered == "" else lowered == "true")
    return tuple(values)


def _ignore_selectors(query: NestedQuery, errors: dict[str, list[str]]) -> list[UnresolvedSelector]:
    at_most([*query.objects.get("ignore", []), *query.arrays.get("ignore", [])], MAX_SELECTORS, "ignore", "selectors")
    ignore = [
        selector
        for index, item in enumerate(query.objects.get("ignore", []))
        if _blank_to_none(item.get("pacticipant")) is not None
        and (selector := _selector(item, index, "ignore", errors)) is not None
    ]
    for name in query.arrays.get("ignore", []):
        if _blank_to_none(name):
            ignore.append(UnresolvedSelector(pacticipant_name=name))
    return ignore


def _options(
    query: NestedQuery, selectors: tuple[UnresolvedSelector, ...], errors: dict[str, list[str]]
) -> MatrixQuery:
    """Everything but the selectors: ignore, latestby, destination, success filter and limit."""
    ignore = _ignore_selectors(query, errors)
    latestby = _blank_to_none(query.scalars.get("latestby"))
    if latestby is not None and latestby not in LATEST_BY:
        errors["latestby"] = [f"must be one of {', '.join(LATEST_BY)}"]
    latest = _true_or_false(query.scalars.get("latest"), "latest", errors)
    tag = _blank_to_none(query.scalars.get("tag"))
    environment = _blank_to_none(query.scalars.get("environment"))
    main_branch = _true_or_false(query.scalars.get("mainBranch"), "mainBranch", errors)
    if sum(1 for item in (tag, environment, main_branch or None) if item) > 1:
        errors["destination"] = ["Please provide only one of tag, environment or mainBranch"]
    if latest and environment:
        errors["latest"] = ["Please provide either latest or environment, not both"]
    limit = DEFAULT_LIMIT
    raw_limit = query.scalars.get("limit")
    if raw_limit is not None:
        number = whole_number(raw_limit)
        if number is None or not 1 <= number <= MAX_LIMIT:
            errors["limit"] = [f"must be a whole number between 1 and {MAX_LIMIT}"]
        else:
            limit = number
    success = _success_filter(query, errors)
    return MatrixQuery(
        selectors=selectors,
        ignore=tuple(ignore),
        latestby=latestby,
        latest=latest,
        tag=tag,
        environment=environment,
        main_branch=main_branch,
        limit=limit,
        success=success,
    )


def parse_matrix_query(query: NestedQuery) -> MatrixQuery:
    errors: dict[str, list[str]] = {}
    at_most(query.objects.get("q", []), MAX_SELECTORS, "q", "selectors")
    selectors = [
        selector
        for index, item in enumerate(query.objects.get("q", []))
        if (selector := _selector(item, index, "q", errors)) is not None
    ]
    if not selectors and "q" not in errors and not any(key.startswith("q[") for key in errors):
        errors["q"] = ["Please provide 1 or more version selectors."]
    parsed = _options(query, tuple(selectors), errors)
    if errors:
        raise InvalidInputError("The matrix query is invalid", errors)
    return parsed


def parse_integration_matrix_query(query: NestedQuery, consumer: str, provider: str) -> MatrixQuery:
    """`/matrix/provider/{p}/consumer/{c}`: every version of both, with the `/matrix` options."""
    errors: dict[str, list[str]] = {}
    parsed = _options(query, (UnresolvedSelector(consumer), UnresolvedSelector(provider)), errors)
    if errors:
        raise InvalidInputError("The matrix query is invalid", errors)
    return parsed


def parse_can_i_deploy_query(query: NestedQuery) -> MatrixQuery:
    """`/can-i-deploy?pacticipant=&version=&to=|environment=[&ignore[]=...]`."""
    errors: dict[str, list[str]] = {}
    pacticipant = _blank_to_none(query.scalars.get("pacticipant"))
    version = _blank_to_none(query.scalars.get("version"))
    to_tag = _blank_to_none(query.scalars.get("to"))
    environment = _blank_to_none(query.scalars.get("environment"))
    if pacticipant is None:
        errors["pacticipant"] = ["is required"]
    if version is None:
        errors["version"] = ["is required"]
    if (to_tag is None) == (environment is None):
        errors["to"] = ["Please provide exactly one of 'to' (a tag) or 'environment'"]
    ignore_selectors = _ignore_selectors(query, errors)
    if errors:
        raise InvalidInputError("The can-i-deploy query is invalid", errors)
    assert pacticipant is not None
    selector = UnresolvedSelector(pacticipant_name=pacticipant, version_number=version)
    if to_tag is not None:
        return MatrixQuery((selector,), tuple(ignore_selectors), latestby="cvp", latest=True, tag=to_tag)
    # Every version live in the environment is judged on its own (cvpv), not only the newest:
    # several releases, or deployments to several targets, can be live at once (pact_broker #934).
    return MatrixQuery((selector,), tuple(ignore_selectors), latestby="cvpv", environment=environment)
