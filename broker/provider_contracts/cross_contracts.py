"""Cross-contract results: is a pact compatible with a provider contract?

A result depends only on the two contents, so it is computed once per (pact content, document
content) and stored with the comparator version that made it. When either side is published,
the pairs that matter are compared in the same transaction (the publish answers with them):
a new document against the pacts of consumer versions that are the latest of a branch or are
deployed or released; a new pact against the documents of provider versions that are the
latest with a contract on a branch, the latest of all, or deployed or released. At most
`MAX_COMPARISONS_PER_PUBLISH` pairs per publish; any other pair is compared when first asked
for (`result_for`); the matrix compares a pair it needs without storing it (`compare`), as
its requests only read.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import replace
from typing import Any

from sqlalchemy.engine import Connection

from broker.provider_contracts import repository
from broker.provider_contracts.comparison import Comparator, ComparisonError, document_from_text, has_errors
from broker.provider_contracts.models import ContractVerdict, CrossContractResult, Mismatch
from broker.storage.schema import utcnow

COMPARATOR = "solo60-openapi-pact-comparator"
COMPARATOR_VERSION = "2"  # bump when a rule changes: stored results of older versions are recomputed
MAX_COMPARISONS_PER_PUBLISH = 25
_CACHED_DOCUMENTS = 8
_CACHED_RESULTS = 256  # comparisons the matrix made without storing them, by the two contents' SHAs

_lock = threading.Lock()
_comparators: OrderedDict[str, Comparator] = OrderedDict()
_results: OrderedDict[tuple[str, str], CrossContractResult] = OrderedDict()


def _compiled(sha: str) -> Comparator | None:
    with _lock:
        found = _comparators.get(sha)
        if found is not None:
            _comparators.move_to_end(sha)
        return found


def _comparator(connection: Connection, contract_content_id: int, sha: str | None = None) -> Comparator:
    """The compiled comparator of a stored document, kept for the next publish (by SHA). Given
    the document's SHA, a comparator already compiled needs no read of the document."""
    found = _compiled(sha) if sha is not None else None
    if found is not None:
        return found
    text, sha = repository.contract_text(connection, contract_content_id)
    found = _compiled(sha)
    if found is not None:
        return found
    comparator = Comparator(document_from_text(text))
    with _lock:
        _comparators[sha] = comparator
        while len(_comparators) > _CACHED_DOCUMENTS:
            _comparators.popitem(last=False)
    return comparator


def compare(
    connection: Connection,
    pact_content_id: int,
    contract_content_id: int,
    *,
    shas: tuple[str, str] | None = None,
    contract_sha: str | None = None,
    pact: dict[str, Any] | None = None,
) -> CrossContractResult:
    """Compare the pair now, storing nothing: what a reading request (the matrix) may do. Given
    the two contents' SHAs (pact, document), a comparison this process already made of the same
    two contents is reused: a result depends on nothing else. `contract_sha` (the document's)
    and `pact` (the pact's stored document) spare reading them when the caller has them."""
    if shas is not None:
        with _lock:
            cached = _results.get(shas)
            if cached is not None:
                _results.move_to_end(shas)
        if cached is not None:
            return replace(cached, pact_content_id=pact_content_id, contract_content_id=contract_content_id)
    problem = None
    results: list[dict[str, object]] = []
    try:
        comparator = _comparator(connection, contract_content_id, contract_sha or (shas[1] if shas else None))
        if pact is None:
            pact = json.loads(repository.pact_text(connection, pact_content_id))
        with _lock:  # compiled validators are shared between request threads
            compared = comparator.compare(pact)
        results = [result.as_json() for result in compared]
        success = not has_errors(compared)
    except ComparisonError as error:
        problem, success = str(error), False
    result = CrossContractResult(
        pact_content_id, contract_content_id, success, results, problem, COMPARATOR_VERSION, utcnow()
    )
    if shas is not None:
        with _lock:
            _results[shas] = result
            while len(_results) > _CACHED_RESULTS:
                _results.popitem(last=False)
    return result


def result_for(
    connection: Connection, pact_content_id: int, contract_content_id: int, *, store: bool = True
) -> CrossContractResult:
    """The stored result of the pair, or a new one (compared now, and stored unless the caller
    only reads)."""
    found = repository.find_result(connection, pact_content_id, contract_content_id)
    if found is not None and found.comparator_version == COMPARATOR_VERSION:
        return found
    result = compare(connection, pact_content_id, contract_content_id)
    if store:
        repository.save_result(connection, result)
    return result


def _compare_all(connection: Connection, pairs: list[tuple[int, int]]) -> list[CrossContractResult]:
    done = repository.existing_pairs(connection, {p for p, _ in pairs}, {c for _, c in pairs}, COMPARATOR_VERSION)
    return [result_for(connection, pact, contract) for pact, contract in pairs if (pact, contract) not in done]


def contract_published(connection: Connection, provider_id: int, contract_content_id: int) -> list[CrossContractResult]:
    """Compare a newly published document with the pacts that matter; the new results."""
    pacts = repository.pact_contents_that_matter(connection, provider_id)[:MAX_COMPARISONS_PER_PUBLISH]
    return _compare_all(connection, [(pact, contract_content_id) for pact in pacts])


def pact_published(
    connection: Connection,
    provider_id: int,
    pact_version_id: int,
    *,
    has_contracts: bool | None = None,
    pact_content_id: int | None = None,
    pact_document: dict[str, Any] | None = None,
) -> list[CrossContractResult]:
    """Compare a newly published pact with the provider contracts that matter (nothing to do,
    at the cost of one indexed probe, for a provider that never published a contract).
    `has_contracts`: whether it did, `pact_content_id`: the pact's content and `pact_document`:
    that content as stored, when the caller knows them (a round trip less each).

    Each document comes with its SHA and whether this comparator version compared the pair, so a
    new pair costs its comparison and one upsert: no read of a compiled document, of the pact or
    of the result the query already said is missing."""
    if has_contracts is None:
        has_contracts = repository.any_contract_for(connection, provider_id)
    if not has_contracts:
        return []
    pact = pact_content_id
    if pact is None:
        pact = repository.pact_content_id_of(connection, pact_version_id)
    contents = list(
        repository.contract_contents_that_matter(connection, provider_id, pact, COMPARATOR_VERSION).items()
    )[:MAX_COMPARISONS_PER_PUBLISH]
    results = []
    for contract, found in contents:
        if found.compared:
            continue
        result = compare(connection, pact, contract, contract_sha=found.sha, pact=pact_document)
        repository.save_result(connection, result)  # replaces a result of an older comparator version
        results.append(result)
    return results


def verdict_of(self_verification_success: bool | None, result: CrossContractResult | None) -> ContractVerdict:
    """What a provider version's contract says about a pact, as the gate counts it: both the
    self-verification and the comparison must succeed. `result` may be None when the
    self-verification failed and the pair was never compared (nothing more is needed to fail)."""
    mismatches: dict[Mismatch, None] = {}
    for item in result.results if result is not None else []:
        if item.get("type") != "error":
            continue
        details = item.get("mockDetails") or {}
        state = details.get("interactionState")
        description = str(details.get("interactionDescription") or "")
        mismatches[Mismatch(str(item.get("code")), description, str(state) if state else None)] = None
    return ContractVerdict(
        self_verified=self_verification_success is True,
        compatible=None if result is None else result.success,
        compared_at=None if result is None else result.created_at,
        mismatches=tuple(mismatches),
        problem=None if result is None else result.problem,
    )
