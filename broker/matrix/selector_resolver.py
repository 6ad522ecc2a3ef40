"""Names, tags, branches and environments -> concrete versions; and who else must be checked.

Resolution turns each selector into one resolved selector per version (tag, branch or
environment selectors can match many). The integrations to check are every one involving the
specified pacticipants when the query names a destination or only one pacticipant, else only
those between the specified pacticipants: the providers a consumer version has pacts with are
*required*; a provider's consumers are checked but not required. Selectors for the other side
are inferred only when the query names a destination (`latest`, `tag`, `environment`,
`mainBranch`), built from it as the official broker does: `latest` is taken from the query, so
`mainBranch=true` alone means every version from each main branch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy.engine import Connection

from broker.deployments import repository as deployments_repository
from broker.errors import InvalidInputError
from broker.matrix import lookups, repository
from broker.matrix.parse_query import MatrixQuery
from broker.matrix.selectors import ResolvedSelector, UnresolvedSelector
from broker.pacticipants.models import Pacticipant
from broker.versions import branches
from broker.versions import repository as versions_repository
from broker.versions.models import Version

MAX_VERSIONS_PER_SELECTOR = 1000


@dataclass(frozen=True)
class IntegrationToCheck:
    consumer_id: int
    consumer_name: str
    provider_id: int
    provider_name: str
    required: bool


@dataclass
class Resolution:
    specified: list[ResolvedSelector] = field(default_factory=list)
    inferred: list[ResolvedSelector] = field(default_factory=list)
    ignore: list[ResolvedSelector] = field(default_factory=list)
    integrations: list[IntegrationToCheck] = field(default_factory=list)
    # which of the pacticipants looked up (those named and their counterparties, so both sides of
    # every integration) ever published a provider contract
    with_contracts: set[int] = field(default_factory=set)

    @property
    def all_selectors(self) -> list[ResolvedSelector]:
        return self.specified + self.inferred


def _resolved(
    pacticipant: Pacticipant,
    selector: UnresolvedSelector,
    version: Version | None,
    *,
    specified: bool,
    ignore: bool,
    one_of_many: bool = False,
    missing: bool = False,
) -> ResolvedSelector:
    branch = selector.branch
    if branch is None and selector.main_branch and version is not None:
        branch = pacticipant.main_branch  # a found main-branch version is described by its branch
    return ResolvedSelector(
        pacticipant_id=pacticipant.id,
        pacticipant_name=pacticipant.name,
        version_id=version.id if version else None,
        version_number=version.number if version else selector.version_number,
        version_exists=not missing,
        specified=specified,
        ignore=ignore,
        latest=selector.latest,
        tag=selector.tag,
        branch=branch,
        main_branch=selector.main_branch,
        environment=selector.environment,
        one_of_many=one_of_many,
        original=selector,
    )


def _environment_id(connection: Connection, name: str) -> int:
    environment = deployments_repository.find_environment(connection, name=name)
    if environment is None:
        raise InvalidInputError(
            f"Environment with name '{name}' does not exist",
            {"environment": [f"Environment with name '{name}' does not exist"]},
        )
    return environment.id


def _versions_in_environment(connection: Connection, pacticipant_id: int, environment_name: str) -> list[Version]:
    environment_id = _environment_id(connection, environment_name)
    return deployments_repository.versions_in_environment(connection, environment_id, [pacticipant_id])[pacticipant_id]


def _branch_versions(
    connection: Connection, pacticipant: Pacticipant, branch_name: str | None, latest: bool
) -> list[Version]:
    branch = branches.find(connection, pacticipant.id, branch_name) if branch_name else None
    if branch is None:
        return []
    if latest:
        head = branches.head(connection, branch.id)
        return [head] if head else []
    return branches.versions_on(connection, branch.id, MAX_VERSIONS_PER_SELECTOR, 0)


def resolve_selector(
    connection: Connection,
    pacticipant: Pacticipant,
    selector: UnresolvedSelector,
    *,
    specified: bool,
    ignore: bool = False,
    in_environment: list[Version] | None = None,
    known_versions: Mapping[tuple[int, str], Version] | None = None,
) -> list[ResolvedSelector]:
    """`in_environment`: the pacticipant's versions in the selector's environment, when prefetched;
    `known_versions`: the versions by (pacticipant id, number), when the selectors' numbers were
    looked up already (a number missing there does not exist)."""

    def many(versions: list[Version]) -> list[ResolvedSelector]:
        if not versions:
            return [_resolved(pacticipant, selector, None, specified=specified, ignore=ignore, missing=True)]
        return [
            _resolved(pacticipant, selector, v, specified=specified, ignore=ignore, one_of_many=len(versions) > 1)
            for v in versions
        ]

    if selector.version_number is not None:
        if known_versions is not None:
            version = known_versions.get((pacticipant.id, selector.version_number))
        else:
            version = versions_repository.find(connection, pacticipant.id, selector.version_number)
        return [_resolved(pacticipant, selector, version, specified=specified, ignore=ignore, missing=version is None)]
    if selector.main_branch:
        return many(_branch_versions(connection, pacticipant, pacticipant.main_branch, selector.latest))
    if selector.branch is not None:
        return many(_branch_versions(connection, pacticipant, selector.branch, selector.latest))
    if selector.tag is not None:
        if selector.latest:
            version = versions_repository.latest_with_tag(connection, pacticipant.id, selector.tag)
            return many([version] if version else [])
        return many(versions_repository.with_tag(connection, pacticipant.id, selector.tag)[-MAX_VERSIONS_PER_SELECTOR:])
    if selector.environment is not None:
        if in_environment is None:
            in_environment = _versions_in_environment(connection, pacticipant.id, selector.environment)
        return many(in_environment)
    if selector.latest:
        version = versions_repository.latest(connection, pacticipant.id)
        return many([version] if version else [])
    return [_resolved(pacticipant, selector, None, specified=specified, ignore=ignore)]


def _specified_version_ids(selectors: Sequence[ResolvedSelector]) -> list[int] | None:
    """The concrete versions of one pacticipant's selectors; None when any means all versions."""
    if any(s.all_versions for s in selectors):
        return None
    return [s.version_id for s in selectors if s.version_id is not None]


def _destination_selector(query: MatrixQuery, name: str) -> UnresolvedSelector:
    """The versions of another pacticipant the query asks about: `latest` only if it said so."""
    return UnresolvedSelector(
        name, latest=query.latest, tag=query.tag, main_branch=query.main_branch, environment=query.environment
    )


def resolve(connection: Connection, query: MatrixQuery) -> Resolution:
    resolution = Resolution()
    everyone = (*query.selectors, *query.ignore)
    named = lookups.look_up(
        connection,
        {s.pacticipant_name for s in everyone},
        {s.version_number for s in everyone if s.version_number is not None},
        query.environment,
    )
    environment_id = named.environment_id
    if query.environment is not None and environment_id is None:
        environment_id = _environment_id(connection, query.environment)  # its error, or no pacticipant was found
    found = named.pacticipants
    resolution.with_contracts = set(named.with_contracts)
    for selector in query.ignore:
        pacticipant = found.get(selector.pacticipant_name)
        if pacticipant is None:
            resolution.ignore.append(
                ResolvedSelector(None, selector.pacticipant_name, None, None, False, False, True, original=selector)
            )
        else:
            resolution.ignore += resolve_selector(
                connection, pacticipant, selector, specified=False, ignore=True, known_versions=named.versions
            )
    missing = [s.pacticipant_name for s in query.selectors if s.pacticipant_name not in found]
    if missing:
        raise InvalidInputError(
            f"Pacticipant {missing[0]} not found", {"q": [f"Pacticipant {name} not found" for name in missing]}
        )
    ignored_names = {s.pacticipant_name for s in resolution.ignore if s.only_pacticipant_name and s.pacticipant_exists}
    for selector in query.selectors:
        resolved = resolve_selector(
            connection, found[selector.pacticipant_name], selector, specified=True, known_versions=named.versions
        )
        if selector.pacticipant_name in ignored_names:
            resolved = [replace(s, ignore=True) for s in resolved]
        resolution.specified += resolved
    _add_integrations(connection, query, resolution, environment_id, {p.id: p for p in found.values()})
    return resolution


def _add_integrations(
    connection: Connection,
    query: MatrixQuery,
    resolution: Resolution,
    environment_id: int | None,
    known: dict[int, Pacticipant],
) -> None:
    by_pacticipant: dict[int, list[ResolvedSelector]] = {}
    for selector in resolution.specified:
        assert selector.pacticipant_id is not None
        by_pacticipant.setdefault(selector.pacticipant_id, []).append(selector)
    specified_ids = set(by_pacticipant)
    infer = query.has_destination
    involving_any = infer or len(specified_ids) == 1
    pairs: dict[tuple[int, int], bool] = {}
    names = dict(known)
    for pacticipant_id, selectors in by_pacticipant.items():
        for role, other, has_contracts in repository.counterparties(
            connection, pacticipant_id, _specified_version_ids(selectors)
        ):
            names.setdefault(other.id, other)
            if has_contracts:
                resolution.with_contracts.add(other.id)
            if not (involving_any or other.id in specified_ids):
                continue
            if role == "provider":
                pairs[(pacticipant_id, other.id)] = True
            else:
                pairs.setdefault((other.id, pacticipant_id), False)
    others = {pid for pair in pairs for pid in pair if pid not in specified_ids}
    if infer:
        prefetched: dict[int, list[Version]] = {}
        if environment_id is not None and others:
            prefetched = deployments_repository.versions_in_environment(connection, environment_id, others)
        for other_id in sorted(others, key=lambda pid: names[pid].name):
            other = names[other_id]
            resolution.inferred += resolve_selector(
                connection,
                other,
                _destination_selector(query, other.name),
                specified=False,
                in_environment=prefetched.get(other_id),
            )
    resolution.integrations = [
        IntegrationToCheck(consumer_id, names[consumer_id].name, provider_id, names[provider_id].name, required)
        for (consumer_id, provider_id), required in sorted(
            pairs.items(), key=lambda item: (names[item[0][0]].name, names[item[0][1]].name)
        )
    ]
