"""Every error the comparison raises, as one hierarchy: a caller catches `ComparisonError`, or
`DocumentError` / `PactError` when it cares which input was wrong."""

from __future__ import annotations


class ComparisonError(Exception):
    """An input the comparator cannot read; the message names the input and what is wrong."""


class DocumentError(ComparisonError):
    """The OpenAPI document cannot be read, parsed or resolved, or is not OpenAPI 3.0/3.1."""


class PactError(ComparisonError):
    """The pact file cannot be read or is not a pact."""
