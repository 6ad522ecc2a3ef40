"""Step 3, request headers: `Accept` against what the operation produces, `Content-Type` against
what it consumes, declared header parameters against their schemas (a missing required one is
an error), and headers the document never mentions (a warning). Names are case-insensitive;
standard HTTP headers and the API-key header of a security scheme are never "unknown"."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from broker.provider_contracts.comparison import parameters
from broker.provider_contracts.comparison.media_types import STANDARD_REQUEST_HEADERS, find_matching_type
from broker.provider_contracts.comparison.pacts import ABSENT, HttpInteraction
from broker.provider_contracts.comparison.results import Result, mock_at, schema_results, spec_at
from broker.provider_contracts.comparison.routing import Operation
from broker.provider_contracts.comparison.schemas import Schemas
from broker.provider_contracts.comparison.security import schemes

INCOMPATIBLE = "Value is incompatible with the parameter defined in the spec file"


def request_media_types(schemas: Schemas, operation: Operation) -> list[str]:
    body = schemas.document.deref(operation.definition.get("requestBody") or {})
    content = body.get("content") if isinstance(body, dict) else None
    return list(content) if isinstance(content, dict) else []


def response_media_types(schemas: Schemas, response: Any) -> list[str]:
    target = schemas.document.deref(response or {})
    content = target.get("content") if isinstance(target, dict) else None
    return list(content) if isinstance(content, dict) else []


def check(
    schemas: Schemas, operation: Operation, interaction: HttpInteraction, headers: dict[str, str]
) -> Iterator[Result]:
    """`headers`: the request's headers by lower-case name, in name order."""
    responses = operation.definition.get("responses") or {}
    every_produced = [media for response in responses.values() for media in response_media_types(schemas, response)]
    produced_for_status = response_media_types(schemas, responses.get(str(interaction.status)))
    consumed = request_media_types(schemas, operation)
    yield from _accept(operation, interaction, headers, every_produced, produced_for_status)
    yield from _content_type(operation, interaction, headers, consumed)
    yield from _parameters(schemas, operation, interaction, headers)


def _accept(
    operation: Operation,
    interaction: HttpInteraction,
    headers: dict[str, str],
    every_produced: list[str],
    produced_for_status: list[str],
) -> Iterator[Result]:
    accept = headers.get("accept", "").split(";")[0]
    if accept and not every_produced:
        yield Result(
            "request.accept.unknown",
            "Request Accept header is defined but the spec does not specify any mime-types to produce",
            mock_at(interaction, ".request.headers.accept", headers.get("accept")),
            spec_at(operation, operation.location, operation.definition),
        )
    if accept and produced_for_status and not find_matching_type(accept, every_produced):
        yield Result(
            "request.accept.incompatible",
            "Request Accept header is incompatible with the mime-types the spec defines to produce",
            mock_at(interaction, ".request.headers.accept", headers.get("accept")),
            spec_at(operation, operation.location, produced_for_status),
        )


def _content_type(
    operation: Operation, interaction: HttpInteraction, headers: dict[str, str], consumed: list[str]
) -> Iterator[Result]:
    content_type = headers.get("content-type", "").split(";")[0]
    here = ".request.headers.content-type"
    if content_type and not consumed:
        yield Result(
            "request.content-type.unknown",
            "Request content-type header is defined but the spec does not specify any mime-types to consume",
            mock_at(interaction, here, headers.get("content-type")),
            spec_at(operation, operation.location, operation.definition),
        )
    if content_type and consumed and not find_matching_type(content_type, consumed):
        yield Result(
            "request.content-type.incompatible",
            "Request Content-Type header is incompatible with the mime-types the spec accepts to consume",
            mock_at(interaction, here, headers.get("content-type")),
            spec_at(operation, f"{operation.location}.requestBody.content", consumed),
        )
    if not content_type and consumed and interaction.request_body is not ABSENT and interaction.request_body:
        yield Result(
            "request.content-type.missing",
            "Request content type header is not defined but spec specifies mime-types to consume",
            mock_at(interaction, here, None),
            spec_at(operation, operation.location, operation.definition),
        )


def _parameters(
    schemas: Schemas, operation: Operation, interaction: HttpInteraction, headers: dict[str, str]
) -> Iterator[Result]:
    document = schemas.document
    remaining = dict(headers)
    checked = interaction.expects_success
    for position, parameter in enumerate(operation.parameters):
        if parameter.get("in") != "header" or not isinstance(parameter.get("name"), str):
            continue
        name = parameter["name"]
        raw = headers.get(name.lower())
        schema = parameters.schema_of(parameter)
        where = f"{operation.location}.parameters[{position}]"
        if raw is not None and checked:
            value = raw if parameters.is_string(schema, document) else parameters.parse_value(raw)
            _, problems = parameters.check(schemas, schema, value)
            yield from schema_results(
                "request.header.incompatible",
                INCOMPATIBLE,
                problems,
                interaction,
                f".request.headers.{name}",
                operation,
                where,
            )
        if raw is None and parameter.get("required") and checked:
            yield Result(
                "request.header.incompatible",
                f"{INCOMPATIBLE}: must have required property '{name}'",
                mock_at(interaction, f".request.headers.{name}", None),
                spec_at(operation, where, parameter),
            )
        remaining.pop(name.lower(), None)
    declared = {
        p["name"].lower() for p in operation.parameters if p.get("in") == "header" and isinstance(p.get("name"), str)
    }
    if not checked:
        return
    security_headers = _security_headers(schemas, operation)
    for name, value in remaining.items():
        if name in STANDARD_REQUEST_HEADERS and name not in declared:
            continue
        if name in security_headers:
            continue
        yield Result(
            "request.header.unknown",
            f"Request header is not defined in the spec file: {name}",
            mock_at(interaction, f".request.headers.{name}", value),
            spec_at(operation, operation.location, operation.definition),
        )


def _security_headers(schemas: Schemas, operation: Operation) -> set[str]:
    defined = schemes(schemas.document)
    names = set()
    for requirement in operation.security:
        for scheme_name in requirement if isinstance(requirement, dict) else ():
            scheme = schemas.document.deref(defined.get(scheme_name))
            if isinstance(scheme, dict) and scheme.get("type") == "apiKey" and scheme.get("in") == "header":
                names.add(str(scheme.get("name", "")).lower())
    return names
