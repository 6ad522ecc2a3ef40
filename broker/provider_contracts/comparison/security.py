"""Step 2, security: a request the provider should accept (status below 400) must carry the
credentials one of the operation's security requirements names.

As in the reference comparator, one satisfied scheme is enough: an API key in a header or the
query must be present, HTTP basic/bearer need an `Authorization` header with that scheme, and
cookies, OAuth2, OpenID Connect and mutual TLS cannot be checked from a pact, so they pass.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from broker.provider_contracts.comparison.documents import Document
from broker.provider_contracts.comparison.pacts import HttpInteraction
from broker.provider_contracts.comparison.results import Result, mock_at, spec_at
from broker.provider_contracts.comparison.routing import Operation

MISSING_HEADER = "Request Authorization header is missing but is required by the spec file"
MISSING_QUERY = "Request Authorization query is missing but is required by the spec file"


def schemes(document: Document) -> dict[str, Any]:
    components = document.content.get("components")
    found = components.get("securitySchemes") if isinstance(components, dict) else None
    return found if isinstance(found, dict) else {}


def check(
    document: Document, operation: Operation, interaction: HttpInteraction, headers: dict[str, str]
) -> Iterator[Result]:
    if not interaction.expects_success:
        return
    defined = schemes(document)
    missing: list[Result] = []
    for requirement in operation.security:
        if not isinstance(requirement, dict):
            continue
        if not requirement:
            return  # `{}`: anonymous access is allowed
        for name in requirement:
            scheme = document.deref(defined.get(name)) if name in defined else None
            if not isinstance(scheme, dict):
                continue
            satisfied, result = _check_scheme(scheme, operation, interaction, headers)
            if satisfied:
                return
            if result is not None:
                missing.append(result)
    yield from missing


def _check_scheme(
    scheme: dict[str, Any], operation: Operation, interaction: HttpInteraction, headers: dict[str, str]
) -> tuple[bool, Result | None]:
    kind = str(scheme.get("type", "")).lower()
    spec = spec_at(operation, operation.location, operation.definition)
    if kind == "apikey":
        where, name = str(scheme.get("in", "")).lower(), str(scheme.get("name", ""))
        if where == "header":
            if name.lower() in headers:
                return True, None
            return False, Result(
                "request.authorization.missing",
                MISSING_HEADER,
                mock_at(interaction, ".request.headers", interaction.request_headers or None),
                spec,
            )
        if where == "query":
            if name in interaction.query:
                return True, None
            return False, Result(
                "request.authorization.missing",
                MISSING_QUERY,
                mock_at(interaction, ".request.query", interaction.raw_query),
                spec,
            )
        return True, None  # cookie: not checkable from a pact
    if kind in ("http", "basic"):
        wanted = "basic" if kind == "basic" else str(scheme.get("scheme", "")).lower()
        authorization = headers.get("authorization", "").lower()
        if wanted in ("basic", "bearer") and authorization.startswith(wanted + " "):
            return True, None
        return False, Result(
            "request.authorization.missing",
            MISSING_HEADER,
            mock_at(interaction, ".request.headers", interaction.request_headers or None),
            spec,
        )
    if kind in ("oauth2", "openidconnect", "mutualtls"):
        return True, None
    return False, None
