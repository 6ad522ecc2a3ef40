"""Step 8, the response body: validated against the response schema of the media type the
request accepts, transformed so that every object is closed (`additionalProperties: false`)
and nothing is required. A consumer may read a subset of the fields a provider returns, but
may not rely on a field the document never declares (`response.body.incompatible`), nor on a
body where the document declares none (`response.body.unknown`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from broker.provider_contracts.comparison.media_types import body_status, find_matching_type
from broker.provider_contracts.comparison.pacts import HttpInteraction
from broker.provider_contracts.comparison.request_headers import response_media_types
from broker.provider_contracts.comparison.results import Result, mock_at, schema_results, spec_at
from broker.provider_contracts.comparison.routing import Operation
from broker.provider_contracts.comparison.schemas import Schemas
from broker.provider_contracts.comparison.status import declared_response

DEFAULT_MEDIA_TYPE = "application/json"


def check(
    schemas: Schemas, operation: Operation, interaction: HttpInteraction, headers: dict[str, str]
) -> Iterator[Result]:
    response, _ = declared_response(operation, interaction.status)
    if response is None:
        return
    response = schemas.document.deref(response)
    produced = response_media_types(schemas, response)
    media = find_matching_type(headers.get("accept") or DEFAULT_MEDIA_TYPE, produced) or (
        produced[0] if produced else DEFAULT_MEDIA_TYPE
    )
    content: dict[str, Any] = response["content"] if isinstance(response.get("content"), dict) else {}
    chosen = find_matching_type(media, list(content))
    schema = content[chosen].get("schema") if chosen and isinstance(content[chosen], dict) else None
    body = interaction.response_body
    status = body_status(media, body)
    where = f"{operation.location}.responses.{interaction.status}.content"
    if status == "warn":
        yield Result(
            "response.body.unvalidatable",
            f"Body with content type '{media}' is not supported by the spec comparator",
            mock_at(interaction, ".response.body", body),
            spec_at(operation, where, response.get("content")),
        )
        return
    if status != "validate" or not body:
        return
    if schema is None:
        yield Result(
            "response.body.unknown",
            "No matching schema found for response body",
            mock_at(interaction, ".response.body", body),
            spec_at(operation, where, response.get("content")),
        )
        return
    problems = schemas.compiled(schema, "response").problems(body)
    yield from schema_results(
        "response.body.incompatible",
        "Response body is incompatible with the response body schema in the spec file",
        problems,
        interaction,
        ".response.body",
        operation,
        f"{where}.{media}",
    )
