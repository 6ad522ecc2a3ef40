"""Result codes and the result value, as PactFlow's comparator (`@pactflow/openapi-pact-comparator`)
names and shapes them, so a user who knows PactFlow reads ours without a glossary.

A result is a value with a type (error or warning); only `as_json` turns it into the wire shape
`{code, type, message, mockDetails{...}, specDetails{...}}`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

ResultType = Literal["error", "warning"]

# code -> type; the order is the order the checks run in.
CODES: dict[str, ResultType] = {
    "request.path-or-method.unknown": "error",
    "request.authorization.missing": "error",
    "request.accept.unknown": "warning",
    "request.accept.incompatible": "error",
    "request.content-type.unknown": "warning",
    "request.content-type.incompatible": "error",
    "request.content-type.missing": "warning",
    "request.header.incompatible": "error",
    "request.header.unknown": "warning",
    "request.query.incompatible": "error",
    "request.query.unknown": "warning",
    "request.body.unvalidatable": "warning",
    "request.body.incompatible": "error",
    "request.body.unknown": "warning",
    "response.content-type.unknown": "warning",
    "response.content-type.incompatible": "error",
    "response.header.incompatible": "error",
    "response.header.undefined": "warning",
    "response.header.unknown": "error",
    "response.status.unknown": "error",
    "response.status.default": "warning",
    "response.body.unvalidatable": "warning",
    "response.body.unknown": "error",
    "response.body.incompatible": "error",
    # Ours, not PactFlow's: a message (V4 asynchronous or synchronous message) is nothing an OpenAPI
    # document describes, so the comparator cannot call it compatible; only verification can.
    "interaction.message.unchecked": "error",
}


@dataclass(frozen=True, slots=True)
class MockDetails:
    """Where in the pact the problem is."""

    interaction_description: str | None
    interaction_state: str
    location: str
    value: Any


@dataclass(frozen=True, slots=True)
class SpecDetails:
    """Where in the OpenAPI document the rule that was broken lives."""

    location: str
    path_name: str | None
    path_method: str | None
    value: Any


@dataclass(frozen=True, slots=True)
class Result:
    code: str
    message: str
    mock: MockDetails
    spec: SpecDetails

    @property
    def type(self) -> ResultType:
        return CODES[self.code]

    @property
    def is_error(self) -> bool:
        return CODES[self.code] == "error"

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "type": self.type,
            "message": self.message,
            "mockDetails": {
                "interactionDescription": self.mock.interaction_description,
                "interactionState": self.mock.interaction_state,
                "location": self.mock.location,
                "value": self.mock.value,
            },
            "specDetails": {
                "location": self.spec.location,
                "pathName": self.spec.path_name,
                "pathMethod": self.spec.path_method,
                "value": self.spec.value,
            },
        }


def has_errors(results: list[Result]) -> bool:
    return any(result.is_error for result in results)


class _Located(Protocol):
    @property
    def description(self) -> str | None: ...
    @property
    def state(self) -> str: ...
    @property
    def index(self) -> int: ...


class _Operation(Protocol):
    @property
    def path(self) -> str: ...
    @property
    def method(self) -> str: ...


def mock_at(interaction: _Located, suffix: str, value: Any) -> MockDetails:
    """Details of the interaction, at `suffix` below it (`.request.headers.accept`)."""
    return MockDetails(
        interaction.description, interaction.state, f"[root].interactions[{interaction.index}]{suffix}", value
    )


def spec_at(operation: _Operation, location: str, value: Any) -> SpecDetails:
    return SpecDetails(location, operation.path, operation.method, value)


def dotted(path: Sequence[str | int]) -> str:
    return "".join(f".{part}" for part in path)


def schema_results(
    code: str,
    prefix: str,
    problems: Iterable[Any],
    interaction: _Located,
    mock_location: str,
    operation: _Operation,
    spec_location: str,
) -> Iterator[Result]:
    """One result per schema problem, located in the pact value and in the compiled schema."""
    for problem in problems:
        yield Result(
            code,
            f"{prefix}: {problem.message}",
            mock_at(interaction, mock_location + dotted(problem.instance_path), problem.value),
            spec_at(operation, f"{spec_location}.schema{dotted(problem.schema_path)}", problem.rule),
        )
