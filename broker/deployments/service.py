"""Environments, recording deployments and releases, and undeploying or ending support.

Recording a deployment replaces whatever version of the same pacticipant was deployed to the
same environment and target (application instance); different targets live side by side.
Releases do not replace each other: any number can be supported at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy.engine import Connection

from broker.deployments import repository
from broker.deployments.models import DeployedVersion, Environment, ReleasedVersion
from broker.deployments.tables import deployed_versions, released_versions
from broker.errors import ConflictError, InvalidInputError, NotFoundError, UnprocessableError
from broker.names import display_name_for, environment_name_problem, name_problem
from broker.storage.locks import transaction_lock
from broker.versions.models import Version

UUID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def get_environment(connection: Connection, uuid: str) -> Environment:
    environment = repository.find_environment(connection, uuid=uuid)
    if environment is None:
        raise NotFoundError(f"No environment with uuid '{uuid}' found")
    return environment


def _validated(attributes: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    problem = environment_name_problem(attributes.get("name"))
    if problem:
        errors["name"] = [problem]
    production = attributes.get("production")
    if not isinstance(production, bool):
        errors["production"] = ["must be true or false"]
    display_name = attributes.get("displayName")
    if display_name is not None:
        display_problem = name_problem(display_name, "displayName")
        if display_problem:
            errors["displayName"] = [display_problem]
    contacts = attributes.get("contacts")
    if contacts is not None:
        if not isinstance(contacts, list):
            errors["contacts"] = ["must be a list"]
        else:
            for index, contact in enumerate(contacts):
                if not isinstance(contact, dict) or not isinstance(contact.get("name"), str) or not contact["name"]:
                    errors[f"contacts[{index}].name"] = ["is missing"]
                elif "details" in contact and not isinstance(contact["details"], dict):
                    errors[f"contacts[{index}].details"] = ["must be an object"]
    if errors:
        raise InvalidInputError("The environment is invalid", errors)
    name = attributes["name"]
    return {
        "name": name,
        "display_name": display_name or display_name_for(name),
        "production": production,
        "contacts": contacts or [],
    }


def create_environment(connection: Connection, attributes: Mapping[str, Any]) -> Environment:
    values = _validated(attributes)
    requested_uuid = attributes.get("uuid")
    if requested_uuid is not None:
        if not isinstance(requested_uuid, str) or not UUID_PATTERN.match(requested_uuid):
            raise InvalidInputError("uuid is invalid", {"uuid": ["must be 1-64 letters, digits, '-' or '_'"]})
        if repository.find_environment(connection, uuid=requested_uuid):
            raise ConflictError(f"An environment with uuid {requested_uuid} already exists")
        values["uuid"] = requested_uuid
    if repository.find_environment(connection, name=values["name"]):
        message = f"Another environment with name '{values['name']}' already exists."
        raise ConflictError(message, {"name": [message]})
    return repository.insert_environment(connection, values)


def update_environment(connection: Connection, uuid: str, attributes: Mapping[str, Any]) -> Environment:
    environment = get_environment(connection, uuid)
    values = _validated(attributes)
    other = repository.find_environment(connection, name=values["name"])
    if other is not None and other.id != environment.id:
        message = f"Another environment with name '{values['name']}' already exists."
        raise ConflictError(message, {"name": [message]})
    repository.update_environment(connection, environment.id, values)
    return get_environment(connection, uuid)


def delete_environment(connection: Connection, uuid: str) -> Environment:
    environment = get_environment(connection, uuid)
    repository.delete_environment(connection, environment.id)
    return environment


def record_deployment(
    connection: Connection, version: Version, environment: Environment, target: str | None
) -> tuple[DeployedVersion, bool]:
    if target is not None:
        problem = name_problem(target, "applicationInstance")
        if problem:
            raise InvalidInputError(problem, {"applicationInstance": [problem]})
    # Read-then-replace: two instances recording into the same slot at once must take turns,
    # or both would keep their own deployment as the current one.
    transaction_lock(connection, "record-deployment", f"{version.pacticipant_id}:{environment.id}")
    live = repository.currently_deployed(connection, environment.id, [version.pacticipant_id])
    same_slot = [deployed for deployed in live if deployed.target == target]
    for deployed in same_slot:
        if deployed.version.id == version.id:
            return deployed, False
    repository.mark_undeployed(connection, [deployed.id for deployed in same_slot])
    repository.insert_deployed(connection, version.id, version.pacticipant_id, environment.id, target)
    newest = repository.deployed_where(
        connection,
        deployed_versions.c.version_id == version.id,
        deployed_versions.c.environment_id == environment.id,
        deployed_versions.c.undeployed_at.is_(None),
    )
    return newest[-1], True


def get_deployed_version(connection: Connection, uuid: str) -> DeployedVersion:
    found = repository.deployed_where(connection, deployed_versions.c.uuid == uuid)
    if not found:
        raise NotFoundError(f"No deployed version with uuid '{uuid}' found")
    return found[0]


def set_currently_deployed(connection: Connection, uuid: str, currently_deployed: bool) -> DeployedVersion:
    deployed = get_deployed_version(connection, uuid)
    if currently_deployed:
        if not deployed.currently_deployed:
            raise UnprocessableError(
                "A deployment cannot be marked as currently deployed again; record a new deployment instead"
            )
        return deployed
    if deployed.currently_deployed:
        repository.mark_undeployed(connection, [deployed.id])
    return get_deployed_version(connection, uuid)


def record_release(connection: Connection, version: Version, environment: Environment) -> tuple[ReleasedVersion, bool]:
    created = repository.upsert_release(connection, version.id, version.pacticipant_id, environment.id)
    found = repository.released_where(
        connection,
        released_versions.c.version_id == version.id,
        released_versions.c.environment_id == environment.id,
    )
    return found[0], created


def get_released_version(connection: Connection, uuid: str) -> ReleasedVersion:
    found = repository.released_where(connection, released_versions.c.uuid == uuid)
    if not found:
        raise NotFoundError(f"No released version with uuid '{uuid}' found")
    return found[0]


def set_currently_supported(connection: Connection, uuid: str, currently_supported: bool) -> ReleasedVersion:
    released = get_released_version(connection, uuid)
    if currently_supported and not released.currently_supported:
        repository.upsert_release(
            connection, released.version.id, released.version.pacticipant_id, released.environment.id
        )
    elif not currently_supported and released.currently_supported:
        repository.end_support(connection, released.id)
    return get_released_version(connection, uuid)
