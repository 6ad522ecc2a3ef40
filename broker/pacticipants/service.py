"""Creating, describing and changing pacticipants.

Most writes elsewhere in the broker create pacticipants implicitly (`ensure_pacticipant`); the
explicit create/update here is what `create-or-update-pacticipant` drives.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.engine import Connection

from broker.errors import ConflictError, InvalidInputError, NotFoundError
from broker.names import display_name_for, name_problem, url_problem
from broker.pacticipants import repository
from broker.pacticipants.models import Label, Pacticipant

EDITABLE_FIELDS = {
    "displayName": "display_name",
    "mainBranch": "main_branch",
    "repositoryUrl": "repository_url",
    "repositoryName": "repository_name",
    "repositoryNamespace": "repository_namespace",
}


def require_name(name: object, field: str = "name") -> str:
    problem = name_problem(name, field)
    if problem:
        raise InvalidInputError(problem, {field: [problem]})
    assert isinstance(name, str)
    return name


def get_pacticipant(connection: Connection, name: str) -> Pacticipant:
    pacticipant = repository.find_by_name(connection, name)
    if pacticipant is None:
        raise NotFoundError(f"No pacticipant with name '{name}' found")
    return pacticipant


def ensure_pacticipant(connection: Connection, name: str, field: str = "pacticipantName") -> Pacticipant:
    """The pacticipant with this name, created on first mention as the official broker does."""
    existing = repository.find_by_name(connection, name)
    if existing is not None:
        return existing
    require_name(name, field)
    return repository.insert_if_missing(connection, name, display_name_for(name))


def _column_values(attributes: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field, column in EDITABLE_FIELDS.items():
        if field in attributes:
            value = attributes[field]
            if value is not None:
                problem = url_problem(value, field) if column == "repository_url" else name_problem(value, field)
                if problem:
                    raise InvalidInputError(problem, {field: [problem]})
            values[column] = value
    return values


def create_pacticipant(connection: Connection, attributes: Mapping[str, Any]) -> Pacticipant:
    name = require_name(attributes.get("name"))
    if repository.find_by_name(connection, name) is not None:
        raise ConflictError(f"A pacticipant with name '{name}' already exists", {"name": [f"'{name}' already exists"]})
    values = _column_values(attributes)
    if not values.get("display_name"):
        values["display_name"] = display_name_for(name)
    return repository.insert(connection, {"name": name, **values})


def update_pacticipant(
    connection: Connection, name: str, attributes: Mapping[str, Any], *, replace: bool
) -> tuple[Pacticipant, bool]:
    """PATCH merges the given fields; PUT replaces them. Creates the pacticipant when missing.
    The name comes from the URL (a name in the body is not a rename)."""
    existing = repository.find_by_name(connection, name)
    values = _column_values(attributes)
    if replace:
        values = {column: values.get(column) for column in EDITABLE_FIELDS.values()}
    if existing is None:
        require_name(name)
        if not values.get("display_name"):
            values["display_name"] = display_name_for(name)
        return repository.insert(connection, {"name": name, **values}), True
    if "display_name" in values and not values["display_name"]:
        values["display_name"] = display_name_for(name)
    return repository.update(connection, existing.id, values), False


def delete_pacticipant(connection: Connection, name: str) -> Pacticipant:
    pacticipant = get_pacticipant(connection, name)
    repository.delete(connection, pacticipant.id)
    return pacticipant


def set_main_branch_if_unset(connection: Connection, pacticipant: Pacticipant, branch: str) -> Pacticipant:
    """The official broker's auto-detection: the first of develop/main/master seen becomes main."""
    if pacticipant.main_branch is None and branch in ("develop", "main", "master"):
        return repository.update(connection, pacticipant.id, {"main_branch": branch})
    return pacticipant


def add_label(connection: Connection, pacticipant_name: str, label: str) -> tuple[Label, bool]:
    pacticipant = ensure_pacticipant(connection, pacticipant_name, "pacticipant")
    require_name(label, "label")
    existing = repository.find_label(connection, pacticipant, label)
    if existing is not None:
        return existing, False
    return repository.add_label(connection, pacticipant, label), True


def get_label(connection: Connection, pacticipant_name: str, label: str) -> Label:
    pacticipant = get_pacticipant(connection, pacticipant_name)
    found = repository.find_label(connection, pacticipant, label)
    if found is None:
        raise NotFoundError(f"Pacticipant '{pacticipant_name}' has no label '{label}'")
    return found


def remove_label(connection: Connection, pacticipant_name: str, label: str) -> None:
    found = get_label(connection, pacticipant_name, label)
    pacticipant = get_pacticipant(connection, found.pacticipant_name)
    repository.remove_label(connection, pacticipant.id, label)
