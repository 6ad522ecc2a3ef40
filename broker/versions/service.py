"""Versions and what hangs off them: build URLs, branch membership and tags.

Writes here keep the pact heads (`broker.pacts.heads`) in step, apply the official broker's
conveniences (main branch auto-detection, first tag as branch, tag named like an environment
records a deployment), and create pacticipants and versions on first mention.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.engine import Connection

from broker.deployments import repository as deployments_repository
from broker.deployments import service as deployments
from broker.errors import InvalidInputError, NotFoundError
from broker.limits import MAX_TAGS, at_most
from broker.names import name_problem, url_problem
from broker.pacticipants import service as pacticipants
from broker.pacticipants.models import Pacticipant
from broker.pacts import heads
from broker.storage.schema import utcnow
from broker.versions import branches, new_on_branch, repository, tags
from broker.versions.models import Branch, BranchVersion, Tag, Version


def require_number(number: object, field: str = "pacticipantVersionNumber") -> str:
    problem = name_problem(number, field)
    if problem:
        raise InvalidInputError(problem, {field: [problem]})
    assert isinstance(number, str)
    return number


def get_version(connection: Connection, pacticipant_name: str, number: str) -> Version:
    pacticipant = pacticipants.get_pacticipant(connection, pacticipant_name)
    version = repository.find(connection, pacticipant.id, number)
    if version is None:
        raise NotFoundError(f"No version '{number}' of pacticipant '{pacticipant_name}' found")
    return version


def ensure_version(connection: Connection, pacticipant: Pacticipant, number: str) -> tuple[Version, bool]:
    require_number(number)
    return repository.insert_if_missing(connection, pacticipant.id, pacticipant.name, number)


def new_version_on_branch(
    connection: Connection, pacticipant: Pacticipant, number: str, branch: Branch
) -> Version | None:
    """PostgreSQL: the version created now and put on the pacticipant's existing `branch`, in one
    round trip. None, having written nothing, when the version exists or on SQLite: the caller
    then uses `ensure_version` and `add_to_branch`."""
    if connection.dialect.name != "postgresql" or branch.pacticipant_id != pacticipant.id:
        return None
    version = new_on_branch.insert(connection, branch, require_number(number), utcnow())
    if version is not None:
        pacticipants.set_main_branch_if_unset(connection, pacticipant, branch.name)
    return version


def latest_version(connection: Connection, pacticipant_name: str, tag: str | None = None) -> Version:
    pacticipant = pacticipants.get_pacticipant(connection, pacticipant_name)
    version = (
        repository.latest_with_tag(connection, pacticipant.id, tag)
        if tag is not None
        else repository.latest(connection, pacticipant.id)
    )
    if version is None:
        suffix = f" with tag '{tag}'" if tag is not None else ""
        raise NotFoundError(f"No version of '{pacticipant_name}'{suffix} found")
    return version


def _optional_url(attributes: Mapping[str, Any], field: str = "buildUrl") -> str | None:
    value = attributes.get(field)
    if value is None:
        return None
    problem = url_problem(value, field)
    if problem:
        raise InvalidInputError(problem, {field: [problem]})
    return value


def write_version(
    connection: Connection, pacticipant_name: str, number: str, attributes: Mapping[str, Any], *, replace: bool
) -> tuple[Version, bool]:
    """PUT (replace=True) overwrites build URL and tags; PATCH merges. Both create when missing."""
    pacticipant = pacticipants.ensure_pacticipant(connection, pacticipant_name, "pacticipant")
    number = require_number(number, "version")
    version, created = ensure_version(connection, pacticipant, number)
    build_url = _optional_url(attributes)
    if replace or "buildUrl" in attributes:
        version = repository.update(connection, version.id, {"build_url": build_url})
    branch = attributes.get("branch")
    if branch is not None:
        add_to_branch(connection, pacticipant, version, branch)
    requested_tags = attributes.get("tags")
    if requested_tags is not None:
        if not isinstance(requested_tags, list):
            raise InvalidInputError("tags must be a list", {"tags": ["must be a list"]})
        names = [tag.get("name") if isinstance(tag, dict) else tag for tag in requested_tags]
        at_most(names, MAX_TAGS, "tags", "tags")
        if replace:
            removed = tags.remove_all(connection, version)
            for removed_name in removed:
                heads.recompute_tag(connection, pacticipant.id, removed_name)
        add_tags(connection, pacticipant, version, names)
    return version, created


def delete_version(connection: Connection, pacticipant_name: str, number: str) -> Version:
    version = get_version(connection, pacticipant_name, number)
    branch_refs = branches.branches_of(connection, [version.id])[version.id]
    tag_refs = tags.tags_of(connection, [version.id])[version.id]
    branch_ids = [
        found.id
        for ref in branch_refs
        if (found := branches.find(connection, version.pacticipant_id, ref.name)) is not None
    ]
    repository.delete(connection, version.id)
    heads.recompute_for_version(connection, version.pacticipant_id, branch_ids, [ref.name for ref in tag_refs])
    return version


# --- branches ------------------------------------------------------------------------------------


def add_to_branch(
    connection: Connection,
    pacticipant: Pacticipant,
    version: Version,
    branch_name: object,
    *,
    version_is_new: bool = False,
    known: Branch | None = None,
) -> tuple[Branch, bool]:
    """Put the version on the branch (created when new); True when it was not on it yet.
    A version created in this transaction has no publications, so no pact heads move.
    `known`: the branch, when the caller already read it in this transaction."""
    problem = name_problem(branch_name, "branch")
    if problem:
        raise InvalidInputError(problem, {"branch": [problem]})
    assert isinstance(branch_name, str)
    if known is not None and (known.pacticipant_id, known.name) == (pacticipant.id, branch_name):
        branch = known
    else:
        branch = branches.insert_if_missing(connection, pacticipant, branch_name)
    added = branches.add_version(connection, branch, version)
    if added and not version_is_new:
        heads.branch_version_added(connection, branch.id, version.id)
    if added:
        pacticipants.set_main_branch_if_unset(connection, pacticipant, branch_name)
    return branch, added


def put_branch_version(
    connection: Connection, pacticipant_name: str, branch_name: str, number: str
) -> tuple[BranchVersion, bool]:
    pacticipant = pacticipants.ensure_pacticipant(connection, pacticipant_name, "pacticipant")
    version, _ = ensure_version(connection, pacticipant, require_number(number, "version"))
    branch, added = add_to_branch(connection, pacticipant, version, branch_name)
    branch_version = branches.find_branch_version(connection, branch, version)
    assert branch_version is not None
    return branch_version, added


def get_branch(connection: Connection, pacticipant_name: str, branch_name: str) -> Branch:
    pacticipant = pacticipants.get_pacticipant(connection, pacticipant_name)
    branch = branches.find(connection, pacticipant.id, branch_name)
    if branch is None:
        raise NotFoundError(f"No branch '{branch_name}' of pacticipant '{pacticipant_name}' found")
    return branch


def get_branch_version(connection: Connection, pacticipant_name: str, branch_name: str, number: str) -> BranchVersion:
    branch = get_branch(connection, pacticipant_name, branch_name)
    version = get_version(connection, pacticipant_name, number)
    found = branches.find_branch_version(connection, branch, version)
    if found is None:
        raise NotFoundError(f"Version '{number}' is not on branch '{branch_name}' of '{pacticipant_name}'")
    return found


def remove_from_branch(connection: Connection, pacticipant_name: str, branch_name: str, number: str) -> None:
    found = get_branch_version(connection, pacticipant_name, branch_name, number)
    branches.remove_version(connection, found.branch, found.version)
    heads.recompute_branch(connection, found.branch.id)


def delete_branch(connection: Connection, pacticipant_name: str, branch_name: str) -> Branch:
    """Versions, pacts and verifications stay; the pacts leave branch selectors and WIP."""
    branch = get_branch(connection, pacticipant_name, branch_name)
    branches.delete(connection, branch.id)
    return branch


# --- tags ----------------------------------------------------------------------------------------


def _add_tag(
    connection: Connection, pacticipant: Pacticipant, version: Version, tag_name: object, version_is_new: bool = False
) -> tuple[Tag, bool]:
    problem = name_problem(tag_name, "tag")
    if problem:
        raise InvalidInputError(problem, {"tag": [problem]})
    assert isinstance(tag_name, str)
    tag, created = tags.add(connection, version, tag_name)
    if created and not version_is_new:
        heads.tag_added(connection, tag_name, version.id)
    if created:
        environment = deployments_repository.find_environment(connection, name=tag_name)
        if environment is not None:
            deployments.record_deployment(connection, version, environment, None)
    return tag, created


def add_tag(connection: Connection, pacticipant_name: str, number: str, tag_name: str) -> tuple[Tag, bool]:
    pacticipant = pacticipants.ensure_pacticipant(connection, pacticipant_name, "pacticipant")
    version, _ = ensure_version(connection, pacticipant, require_number(number, "version"))
    return _add_tag(connection, pacticipant, version, tag_name)


def add_tags(
    connection: Connection,
    pacticipant: Pacticipant,
    version: Version,
    names: Sequence[object],
    version_is_new: bool = False,
) -> None:
    """Tag the version with every name (at most `MAX_TAGS`), in a few statements whatever their number:
    the tags, the pact heads they move, the deployments to environments named like them."""
    at_most(names, MAX_TAGS, "tags", "tags")
    for name in names:
        problem = name_problem(name, "tag")
        if problem:
            raise InvalidInputError(problem, {"tag": [problem]})
    added = tags.add_many(connection, version, [str(name) for name in names])
    if added and not version_is_new:
        heads.tags_added(connection, added, version.id)
    named = deployments_repository.environments_named(connection, added)
    for name in added:
        if name in named:
            deployments.record_deployment(connection, version, named[name], None)


def get_tag(connection: Connection, pacticipant_name: str, number: str, tag_name: str) -> Tag:
    version = get_version(connection, pacticipant_name, number)
    tag = tags.find(connection, version, tag_name)
    if tag is None:
        raise NotFoundError(f"Version '{number}' of '{pacticipant_name}' has no tag '{tag_name}'")
    return tag


def delete_tag(connection: Connection, pacticipant_name: str, number: str, tag_name: str) -> Tag:
    tag = get_tag(connection, pacticipant_name, number, tag_name)
    tags.remove(connection, tag.version, tag_name)
    heads.recompute_tag(connection, tag.version.pacticipant_id, tag_name)
    return tag
