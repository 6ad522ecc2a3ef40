"""Publishing verification results and reading them back.

A result attaches to the pact *version* (the content), not to a consumer version, so one
successful verification counts for every consumer version that published that content.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.engine import Connection

from broker.errors import InvalidInputError, NotFoundError
from broker.names import name_problem, url_problem
from broker.pacticipants import service as pacticipants
from broker.pacts import metadata as pact_metadata
from broker.pacts import repository as pacts_repository
from broker.pacts.models import PactVersion
from broker.storage.schema import utcnow
from broker.verifications import repository
from broker.verifications.models import Verification
from broker.verifications.tables import verifications
from broker.versions import service as versions
from broker.webhooks import triggers


def get_pact_version(connection: Connection, provider_name: str, consumer_name: str, sha: str) -> PactVersion:
    provider = pacticipants.get_pacticipant(connection, provider_name)
    consumer = pacticipants.get_pacticipant(connection, consumer_name)
    found = pacts_repository.find_pact_version(connection, provider.id, consumer.id, sha)
    if found is None:
        raise NotFoundError(f"No pact between '{consumer_name}' and '{provider_name}' with content SHA '{sha}' found")
    return found


def _validated(body: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if not isinstance(body.get("success"), bool):
        errors["success"] = ["must be true or false"]
    number = body.get("providerApplicationVersion")
    problem = name_problem(number, "providerApplicationVersion")
    if problem:
        errors["providerApplicationVersion"] = [problem]
    build_url = body.get("buildUrl")
    build_url_problem = url_problem(build_url, "buildUrl") if build_url is not None else None
    if build_url_problem:
        errors["buildUrl"] = [build_url_problem]
    test_results = body.get("testResults")
    if test_results is not None and not isinstance(test_results, (list, dict)):
        errors["testResults"] = ["must be a list or an object"]
    verified_by = body.get("verifiedBy")
    if verified_by is not None and not isinstance(verified_by, dict):
        errors["verifiedBy"] = ["must be an object"]
    if errors:
        raise InvalidInputError("The verification result is invalid", errors)
    return dict(body)


def publish_verification(
    connection: Connection,
    provider_name: str,
    consumer_name: str,
    sha: str,
    metadata_segment: str | None,
    body: Mapping[str, Any],
) -> Verification:
    pact_version = get_pact_version(connection, provider_name, consumer_name, sha)
    values = _validated(body)
    provider = pacticipants.get_pacticipant(connection, provider_name)
    provider_version, _ = versions.ensure_version(connection, provider, values["providerApplicationVersion"])
    metadata = pact_metadata.decode(metadata_segment)
    selectors = [
        {key: value for key, value in vars(selector).items() if value is not None} for selector in metadata.selectors
    ]
    verification_id = repository.insert(
        connection,
        {
            "pact_version_id": pact_version.id,
            "consumer_id": pact_version.consumer_id,
            "provider_id": pact_version.provider_id,
            "provider_version_id": provider_version.id,
            "success": values["success"],
            "build_url": values.get("buildUrl"),
            "test_results": values.get("testResults"),
            "verified_by": values.get("verifiedBy"),
            "wip": metadata.wip,
            "pact_pending": metadata.pending,
            "consumer_version_selectors": selectors or None,
            "created_at": utcnow(),
        },
    )
    verification = repository.find(connection, verification_id)
    assert verification is not None
    triggers.verification_published(connection, verification)
    return verification


def get_verification(
    connection: Connection, provider_name: str, consumer_name: str, sha: str, number: int
) -> Verification:
    pact_version = get_pact_version(connection, provider_name, consumer_name, sha)
    found = repository.where(
        connection, verifications.c.id == number, verifications.c.pact_version_id == pact_version.id
    )
    if not found:
        raise NotFoundError(f"No verification result {number} for this pact found")
    return found[0]


def latest_verification(connection: Connection, pact_version: PactVersion) -> Verification:
    found = repository.latest_for_pact_version(connection, pact_version.id)
    if found is None:
        raise NotFoundError("No verification results have been published for this pact")
    return found
