"""Step 6, response headers: the expected `Content-Type` against what the response declares,
declared headers against their schemas, standard headers the document leaves out (a warning),
and any other header the consumer expects but the document never promises (an error: the
provider need not send it)."""

from __future__ import annotations

from collections.abc import Iterator

from broker.provider_contracts.comparison import parameters
from broker.provider_contracts.comparison.media_types import STANDARD_RESPONSE_HEADERS, find_matching_type
from broker.provider_contracts.comparison.pacts import HttpInteraction
from broker.provider_contracts.comparison.request_headers import response_media_types
from broker.provider_contracts.comparison.results import Result, mock_at, schema_results, spec_at
from broker.provider_contracts.comparison.routing import Operation
from broker.provider_contracts.comparison.schemas import Schemas
from broker.provider_contracts.comparison.status import declared_response


def check(schemas: Schemas, operation: Operation, interaction: HttpInteraction) -> Iterator[Result]:
    response, _ = declared_response(operation, interaction.status)
    if response is None:
        return
    document = schemas.document
    response = document.deref(response)
    produced = response_media_types(schemas, response)
    headers = {name.lower(): value for name, value in sorted(interaction.response_headers.items())}
    content_type = headers.get("content-type", "").split(";")[0]
    here = ".response.headers.content-type"
    if content_type and not produced:
        yield Result(
            "response.content-type.unknown",
            "Response Content-Type header is defined but the spec does not specify any mime-types to produce",
            mock_at(interaction, here, headers.get("content-type")),
            spec_at(operation, operation.location, operation.definition),
        )
    if content_type and produced and not find_matching_type(content_type, produced):
        yield Result(
            "response.content-type.incompatible",
            "Response Content-Type header is incompatible with the mime-types the spec defines to produce",
            mock_at(interaction, here, headers.get("content-type")),
            spec_at(operation, f"{operation.location}.responses.{interaction.status}.content", produced),
        )
    headers.pop("content-type", None)
    declared = response.get("headers") if isinstance(response, dict) else None
    for name, header in (declared or {}).items():
        header = document.deref(header)
        value = headers.pop(name.lower(), None)
        if value is None or not isinstance(header, dict):
            continue
        schema = parameters.schema_of(header)
        _, problems = parameters.check(schemas, schema, value)
        yield from schema_results(
            "response.header.incompatible",
            "Value is incompatible with the parameter defined in the spec file",
            problems,
            interaction,
            f".response.headers.{name}",
            operation,
            f"{operation.location}.responses.{interaction.status}.headers.{name}",
        )
    for name in STANDARD_RESPONSE_HEADERS:
        if name in headers:
            yield Result(
                "response.header.undefined",
                f"Standard http response header is not defined in the spec file: {name}",
                mock_at(interaction, f".response.headers.{name}", headers.pop(name)),
                spec_at(operation, operation.location, operation.definition),
            )
    for name, value in headers.items():
        yield Result(
            "response.header.unknown",
            f"Response header is not defined in the spec file: {name}",
            mock_at(interaction, f".response.headers.{name}", value),
            spec_at(operation, f"{operation.location}.responses.{interaction.status}.headers", declared),
        )
