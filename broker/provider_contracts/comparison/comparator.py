"""The comparison of one pact with one OpenAPI document, interaction by interaction, in the
reference comparator's order: route, security, request headers, query, request body, response
headers, status, response body. A route that does not exist ends the interaction's checks; a
content type the operation does not take skips the body that would have been read with it.
A message interaction (V4 `Asynchronous/Messages`, `Synchronous/Messages`, V3 `messages`) is not
compared: it is an error, `interaction.message.unchecked`, so a message pact is never counted
as verified by a provider contract, only by the provider's own verification."""

from __future__ import annotations

from typing import Any

from broker.provider_contracts.comparison import (
    query,
    request_body,
    request_headers,
    response_body,
    response_headers,
    routing,
    security,
    status,
)
from broker.provider_contracts.comparison.documents import Document
from broker.provider_contracts.comparison.errors import DocumentError
from broker.provider_contracts.comparison.pacts import (
    HttpInteraction,
    MessageInteraction,
    http_interactions,
    message_interactions,
)
from broker.provider_contracts.comparison.results import MockDetails, Result, SpecDetails
from broker.provider_contracts.comparison.schemas import Schemas

MESSAGE_UNCHECKED = "interaction.message.unchecked"
"""The code every message interaction gets: no OpenAPI document describes messages."""


class Comparator:
    """Compares pacts with one document; routes and compiled schemas are kept between pacts."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.schemas = Schemas(document)
        self.router = routing.Router(document)

    def compare(self, pact: Any, name: str = "the pact") -> list[Result]:
        results: list[Result] = []
        for interaction in http_interactions(pact, name):
            try:
                results.extend(self.compare_interaction(interaction))
            except (AttributeError, TypeError, KeyError, IndexError) as problem:
                # a document whose objects are not the shapes OpenAPI gives them (a list of
                # responses, a parameter without a name...): say where, never a traceback
                raise DocumentError(
                    f"the OpenAPI document is malformed where {interaction.method} {interaction.path} "
                    f"({name}, interaction {interaction.index}) leads: {problem!r}"
                ) from None
        results.extend(unchecked(message) for message in message_interactions(pact))
        return results

    def compare_interaction(self, interaction: HttpInteraction) -> list[Result]:
        path = interaction.path if interaction.path.startswith("/") else "/" + interaction.path
        route = self.router.find(interaction.method, path)
        if route is None:
            return [routing.unknown_route(interaction)]
        results = list(routing.check_path_parameters(self.schemas, route, interaction))
        if results:
            return results
        operation = route.operation
        headers: dict[str, str] = {}
        for name, value in sorted(interaction.request_headers.items(), key=lambda item: item[0].lower()):
            lower = name.lower()
            headers[lower] = f"{headers[lower]}, {value}" if lower in headers else value
        results.extend(security.check(self.document, operation, interaction, headers))
        header_results = list(request_headers.check(self.schemas, operation, interaction, headers))
        results.extend(header_results)
        results.extend(query.check(self.schemas, operation, interaction))
        if not any(result.code == "request.content-type.incompatible" for result in header_results):
            results.extend(request_body.check(self.schemas, operation, interaction, headers))
        response_header_results = list(response_headers.check(self.schemas, operation, interaction))
        results.extend(response_header_results)
        results.extend(status.check(operation, interaction))
        if not any(result.code == "response.content-type.incompatible" for result in response_header_results):
            results.extend(response_body.check(self.schemas, operation, interaction, headers))
        return results


def unchecked(message: MessageInteraction) -> Result:
    """A message is nothing an OpenAPI document describes: never compatible by comparison, only by verification."""
    return Result(
        MESSAGE_UNCHECKED,
        f"{message.kind} interaction not checked: an OpenAPI document does not describe messages, so only "
        "the provider's verification can count this pact (see the AsyncAPI document at /internal/asyncapi.json)",
        MockDetails(message.description, message.state, message.location, message.kind),
        SpecDetails("[root]", None, None, None),
    )
