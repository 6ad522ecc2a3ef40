"""Step 4, the query: declared query parameters against their schemas (a required one that is
missing is an error) and parameters the document never declares (a warning). Only checked for
requests the provider should accept. `a=1,2` is a list for an array parameter; a string
parameter takes the value as written."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from broker.provider_contracts.comparison import parameters
from broker.provider_contracts.comparison.pacts import HttpInteraction
from broker.provider_contracts.comparison.results import Result, mock_at, schema_results, spec_at
from broker.provider_contracts.comparison.routing import Operation
from broker.provider_contracts.comparison.schemas import Schemas
from broker.provider_contracts.comparison.security import schemes

INCOMPATIBLE = "Value is incompatible with the parameter defined in the spec file"


def _value(values: list[str], as_string: bool) -> Any:
    if len(values) > 1:
        return ",".join(values) if as_string else list(values)
    text = values[0]
    if not as_string and "," in text:
        return text.split(",")
    return text


def check(schemas: Schemas, operation: Operation, interaction: HttpInteraction) -> Iterator[Result]:
    if not interaction.expects_success:
        return
    document = schemas.document
    remaining = dict(interaction.query)
    for position, parameter in enumerate(operation.parameters):
        if parameter.get("in") != "query" or not isinstance(parameter.get("name"), str):
            continue
        name = parameter["name"]
        schema = parameters.schema_of(parameter)
        where = f"{operation.location}.parameters[{position}]"
        values = remaining.pop(name, None)
        if values is None:
            if parameter.get("required"):
                yield Result(
                    "request.query.incompatible",
                    f"{INCOMPATIBLE}: must have required property '{name}'",
                    mock_at(interaction, f".request.query.{name}", None),
                    spec_at(operation, where, parameter),
                )
            continue
        value = _value(values, parameters.is_string(schema, document))
        _, problems = parameters.check(schemas, schema, value)
        here = f".request.query.{name}"
        yield from schema_results(
            "request.query.incompatible", INCOMPATIBLE, problems, interaction, here, operation, where
        )
    defined = schemes(document)
    security_queries = set()
    for requirement in operation.security:
        for scheme_name in requirement if isinstance(requirement, dict) else ():
            scheme = document.deref(defined.get(scheme_name))
            if isinstance(scheme, dict) and scheme.get("type") == "apiKey" and scheme.get("in") == "query":
                security_queries.add(scheme.get("name"))
    for name, values in remaining.items():
        if name in security_queries:
            continue
        yield Result(
            "request.query.unknown",
            f"Query parameter is not defined in the spec file: {name}",
            mock_at(interaction, f".request.query.{name}", values[0] if len(values) == 1 else values),
            spec_at(operation, operation.location, operation.definition),
        )
