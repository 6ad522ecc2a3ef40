"""Publishing a provider contract, as the official clients send it: the document (base64) with
the provider's self-verification results, for a provider version (with branch, tags, build URL).

The version, branch and tags are recorded the way a pact publication records them; the document
is stored once per SHA; republishing a version replaces its contract (a provider may re-run its
self-verification); then the document is compared with the pacts that matter.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from broker.errors import InvalidInputError
from broker.names import url_problem
from broker.pacticipants import service as pacticipants
from broker.pacticipants.models import Pacticipant
from broker.provider_contracts import cross_contracts, repository
from broker.provider_contracts.comparison import DocumentError, document_from_text
from broker.provider_contracts.models import CrossContractResult, ProviderContract, SelfVerification
from broker.text import refuse_unpaired_surrogates
from broker.versions import service as versions
from broker.versions.models import Version

SPECIFICATIONS = ("oas",)
DEFAULT_CONTENT_TYPE = "application/yaml"


@dataclass(frozen=True, slots=True)
class Upload:
    """A decoded contract: the document's text and the self-verification that came with it."""

    text: str
    content_type: str
    specification: str
    verification: SelfVerification


@dataclass(frozen=True, slots=True)
class Published:
    provider: Pacticipant
    version: Version
    branch: str | None
    tags: list[str]
    contract: ProviderContract
    created: bool
    comparisons: list[CrossContractResult]


def _text(encoded: object, field: str) -> str:
    if not isinstance(encoded, str):
        raise InvalidInputError(f"{field} must be a base64 string", {field: ["must be a base64 string"]})
    try:
        return base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise InvalidInputError(
            f"{field} is not valid base64", {field: ["is not valid base64 of UTF-8 text"]}
        ) from None


def _optional(values: Mapping[str, Any], key: str, field: str) -> str | None:
    value = values.get(key)
    if value is not None and not isinstance(value, str):
        raise InvalidInputError(f"{field} must be a string", {field: ["must be a string"]})
    return value


def decode_upload(
    contract: object,
    *,
    field: str,
    specification_key: str,
    verification_key: str,
) -> Upload:
    """The contract part of a request (`contract` of the publish body, or the whole body of
    the older PUT), decoded; the document must be an OpenAPI 3.0/3.1 document we can compare."""
    if not isinstance(contract, Mapping):
        raise InvalidInputError(f"{field} must be an object", {field: ["must be an object"]})
    prefix = f"{field}." if field else ""
    specification = contract.get(specification_key, "oas")
    if not isinstance(specification, str) or specification.lower() not in SPECIFICATIONS:
        message = f"must be one of {', '.join(SPECIFICATIONS)}"
        raise InvalidInputError(f"{prefix}{specification_key} {message}", {prefix + specification_key: [message]})
    text = _text(contract.get("content"), prefix + "content")
    try:
        document = document_from_text(text)
    except DocumentError as problem:
        raise InvalidInputError(f"{prefix}content: {problem}", {prefix + "content": [str(problem)]}) from None
    refuse_unpaired_surrogates(document.content, prefix + "content")  # YAML spells them too: always walk
    content_type = _optional(contract, "contentType", prefix + "contentType") or DEFAULT_CONTENT_TYPE
    raw = contract.get(verification_key)
    verification = SelfVerification(None, None, None, None, None, None)
    if raw is not None:
        where = prefix + verification_key
        if not isinstance(raw, Mapping):
            raise InvalidInputError(f"{where} must be an object", {where: ["must be an object"]})
        success = raw.get("success")
        if success is not None and not isinstance(success, bool):
            raise InvalidInputError(
                f"{where}.success must be true or false", {f"{where}.success": ["must be a boolean"]}
            )
        report = raw.get("content")
        verification = SelfVerification(
            success,
            _text(report, f"{where}.content") if report is not None else None,
            _optional(raw, "contentType", f"{where}.contentType"),
            _optional(raw, "format", f"{where}.format"),
            _optional(raw, "verifier", f"{where}.verifier"),
            _optional(raw, "verifierVersion", f"{where}.verifierVersion"),
        )
    return Upload(text, content_type, specification.lower(), verification)


def publish_contract(
    connection: Connection,
    *,
    provider_name: str,
    version_number: str,
    upload: Upload,
    branch: str | None = None,
    tags: Sequence[str] = (),
    build_url: str | None = None,
) -> Published:
    pacticipants.require_name(provider_name, "provider")
    versions.require_number(version_number)
    if build_url is not None and (problem := url_problem(build_url, "buildUrl")):
        raise InvalidInputError(problem, {"buildUrl": [problem]})
    provider = pacticipants.ensure_pacticipant(connection, provider_name, "provider")
    version, version_created = versions.ensure_version(connection, provider, version_number)
    if build_url is not None:
        version = versions.repository.update(connection, version.id, {"build_url": build_url})
    if branch is not None:
        versions.add_to_branch(connection, provider, version, branch, version_is_new=version_created)
    versions.add_tags(connection, provider, version, tags, version_is_new=version_created)
    sha = hashlib.sha1(upload.text.encode("utf-8"), usedforsecurity=False).hexdigest()
    content_id = repository.content_id_for(connection, sha, upload.text, upload.content_type, upload.specification)
    created = repository.save_contract(connection, provider.id, version.id, content_id, upload.verification)
    contract = repository.find_contract(connection, version.id)
    assert contract is not None
    comparisons = cross_contracts.contract_published(connection, provider.id, content_id)
    return Published(provider, version, branch, list(tags), contract, created, comparisons)
