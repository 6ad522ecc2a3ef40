"""Every pact compared with its provider's generated OpenAPI document, no provider running.

The pipeline's first check after the consumer suites: a consumer expecting a field, a status or
a parameter its provider's contract does not declare is reported in about a second, naming the
interaction and the field, before any provider starts. The comparator is the broker's own
(`broker.provider_contracts.comparison`, PactFlow's result codes), used as a library; the
documents are the ones our contracts render (`solo60.contracts.openapi`), the same documents
the providers serve and publish as provider contracts.

Message interactions (domain events) are nothing an OpenAPI document describes: the comparator
marks each `interaction.message.unchecked`, and this stage counts them apart instead of failing
on them, since the producer's own verification is what checks a message pact.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from broker.provider_contracts.comparison import Comparator, ComparisonError, Document, Result
from broker.provider_contracts.comparison.comparator import MESSAGE_UNCHECKED
from broker.provider_contracts.comparison.documents import openapi_version
from solo60.harness.made.pact_files import PactFile


class StaticCheckError(RuntimeError):
    """A pact or a document could not be read or compared at all (not a mismatch)."""


@dataclass(frozen=True)
class PactComparison:
    """One pact's comparison with its provider's document: every result, errors and warnings."""

    pact: PactFile
    results: list[Result] = field(default_factory=list)
    messages: int = 0
    """Message interactions, left to the producer's verification (no OpenAPI document describes them)."""

    @property
    def errors(self) -> list[Result]:
        return [result for result in self.results if result.is_error]

    @property
    def warnings(self) -> list[Result]:
        return [result for result in self.results if not result.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors

    def describe_errors(self) -> str:
        """One line per error: the pair, the interaction, the code, where in the pact and why."""
        return "\n".join(
            f"{self.pact.pair}: {_interaction(result)} {result.code} at {result.mock.location}: {result.message}"
            for result in self.errors
        )


def generated_documents(providers: Iterable[str]) -> dict[str, Document]:
    """The OpenAPI document each provider's contract renders, ready for the comparator."""
    from solo60.contracts import contract_for
    from solo60.contracts.openapi import openapi_document

    documents = {}
    for provider in sorted(set(providers)):
        try:
            contract = contract_for(provider)
        except KeyError as error:
            raise StaticCheckError(f"no contract renders an OpenAPI document for provider {provider!r}") from error
        content = openapi_document(contract)
        what = f"{provider}'s generated OpenAPI document"
        documents[provider] = Document(content, openapi_version(content, what), what)
    return documents


def compare_pacts(pacts: Sequence[PactFile], documents: Mapping[str, Document] | None = None) -> list[PactComparison]:
    """Each pact compared with its provider's document (the generated ones unless given)."""
    if documents is None:
        documents = generated_documents(pact.provider for pact in pacts)
    comparators: dict[str, Comparator] = {}
    comparisons = []
    for pact in pacts:
        if pact.provider not in documents:
            raise StaticCheckError(f"no OpenAPI document for {pact.provider}, the provider of {pact.path}")
        comparator = comparators.setdefault(pact.provider, Comparator(documents[pact.provider]))
        try:
            content = json.loads(pact.path.read_text(encoding="utf-8"))
            results = comparator.compare(content, str(pact.path))
        except (OSError, ValueError) as error:
            raise StaticCheckError(f"cannot read the pact {pact.path}: {error}") from error
        except ComparisonError as error:
            raise StaticCheckError(str(error)) from error
        checked = [result for result in results if result.code != MESSAGE_UNCHECKED]
        comparisons.append(PactComparison(pact, checked, messages=len(results) - len(checked)))
    return comparisons


def summary(comparisons: Sequence[PactComparison]) -> str:
    """The stage's one line: how many pacts are compatible, and the first error when one is not."""
    compatible = sum(comparison.ok for comparison in comparisons)
    messages = sum(comparison.messages for comparison in comparisons)
    interactions = sum(comparison.pact.interactions for comparison in comparisons) - messages
    line = f"{compatible}/{len(comparisons)} pacts ({interactions} interactions) compatible with the OpenAPI documents"
    if messages:
        line += f" ({messages} messages left to their producers' verification)"
    failing = [comparison for comparison in comparisons if not comparison.ok]
    if failing:
        errors = sum(len(comparison.errors) for comparison in failing)
        first = failing[0].describe_errors().splitlines()[0]
        line += f"; {errors} error{'s' if errors != 1 else ''}, first: {first}"
    return line


def _interaction(result: Result) -> str:
    description = result.mock.interaction_description or "(an interaction without a description)"
    state = f" given {result.mock.interaction_state!r}" if result.mock.interaction_state else ""
    return f"{description!r}{state}"
