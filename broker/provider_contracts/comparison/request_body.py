"""Step 5, the request body, only for requests the provider should accept: validated against the
schema of the matching media type with `required` kept and extra properties allowed, and without
coercion (a JSON body says its own types). A body the document has no schema for is a warning;
a body of a type no JSON Schema can describe (XML, plain text) is "unvalidatable"."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from broker.provider_contracts.comparison.media_types import body_status, find_matching_type
from broker.provider_contracts.comparison.pacts import ABSENT, HttpInteraction
from broker.provider_contracts.comparison.request_headers import request_media_types
from broker.provider_contracts.comparison.results import Result, mock_at, schema_results, spec_at
from broker.provider_contracts.comparison.routing import Operation
from broker.provider_contracts.comparison.schemas import Schemas

DEFAULT_MEDIA_TYPE = "application/json"


def _parsed(body: Any, content_type: str) -> Any:
    """A form body (urlencoded or multipart) as the object its fields make (a repeated field
    is a list); any other body as it is."""
    if not isinstance(body, str):
        return body
    pairs: list[tuple[str, str]]
    if "application/x-www-form-urlencoded" in content_type:
        pairs = parse_qsl(body, keep_blank_values=True)
    elif "multipart/form-data" in content_type and "boundary=" in content_type:
        from email.parser import BytesParser
        from email.policy import HTTP

        message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n{body}".encode())
        if not message.is_multipart():
            return body
        pairs = [
            (str(part.get_param("name", header="content-disposition")), str(part.get_content()))
            for part in message.iter_parts()
        ]
    else:
        return body
    fields: dict[str, list[str]] = {}
    for key, value in pairs:
        fields.setdefault(key, []).append(value)
    return {key: values[0] if len(values) == 1 else values for key, values in fields.items()}


def check(
    schemas: Schemas, operation: Operation, interaction: HttpInteraction, headers: dict[str, str]
) -> Iterator[Result]:
    document = schemas.document
    request_body = document.deref(operation.definition.get("requestBody") or {})
    request_body = request_body if isinstance(request_body, dict) else {}
    consumed = request_media_types(schemas, operation)
    sent_type = headers.get("content-type", "")
    media = (find_matching_type(sent_type, consumed) or sent_type) if sent_type else DEFAULT_MEDIA_TYPE
    content: dict[str, Any] = request_body["content"] if isinstance(request_body.get("content"), dict) else {}
    chosen = find_matching_type(media, list(content))
    schema = content[chosen].get("schema") if chosen and isinstance(content[chosen], dict) else None
    body = interaction.request_body
    if not request_body.get("required") and body is ABSENT:
        return
    status = body_status(media, body)
    if status == "skip" or not interaction.expects_success:
        return
    spec_location = f"{operation.location}.requestBody.content"
    if status == "warn":
        yield Result(
            "request.body.unvalidatable",
            f"Body with content type '{media}' is not supported by the spec comparator",
            mock_at(interaction, ".request.body", body),
            spec_at(operation, spec_location, request_body.get("content")),
        )
        return
    if schema is not None:
        prefix = "Request body is incompatible with the request body schema in the spec file"
        if body is ABSENT:
            yield Result(
                "request.body.incompatible",
                f"{prefix}: the request has no body but the spec requires one",
                mock_at(interaction, ".request.body", None),
                spec_at(operation, f"{spec_location}.{media}", schema),
            )
            return
        problems = schemas.compiled(schema, "request").problems(_parsed(body, sent_type))
        yield from schema_results(
            "request.body.incompatible",
            prefix,
            problems,
            interaction,
            ".request.body",
            operation,
            f"{spec_location}.{media}",
        )
    elif body:
        yield Result(
            "request.body.unknown",
            "No matching schema found for request body",
            mock_at(interaction, ".request.body", body),
            spec_at(operation, spec_location, request_body.get("content")),
        )
