"""Step 7, the status: the response the document declares for the pact's status, looked up
exactly, then by class (`4XX`), then `default` (a warning: the document is vague about it), else
`response.status.unknown`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from broker.provider_contracts.comparison.pacts import HttpInteraction
from broker.provider_contracts.comparison.results import Result, mock_at, spec_at
from broker.provider_contracts.comparison.routing import Operation


def declared_response(operation: Operation, status: int) -> tuple[Any, str | None]:
    """The response object for `status` and the key it was found under (None: not declared)."""
    responses = operation.definition.get("responses") or {}
    for key in (str(status), f"{status // 100}XX", f"{status // 100}xx", "default"):
        if key in responses:
            return responses[key], key
    return None, None


def check(operation: Operation, interaction: HttpInteraction) -> Iterator[Result]:
    _, key = declared_response(operation, interaction.status)
    where = f"{operation.location}.responses"
    responses = operation.definition.get("responses")
    if key is None:
        yield Result(
            "response.status.unknown",
            f"Response status code not defined in spec file: {interaction.status}",
            mock_at(interaction, ".response.status", interaction.status),
            spec_at(operation, where, responses),
        )
    elif key == "default":
        yield Result(
            "response.status.default",
            f"Response status code matched default response in spec file: {interaction.status}",
            mock_at(interaction, ".response.status", interaction.status),
            spec_at(operation, where, responses),
        )
