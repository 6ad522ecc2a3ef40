"""Is a consumer's pact a subset of a provider's OpenAPI document?

    from broker.provider_contracts.comparison import Comparator, load_document

    comparator = Comparator(load_document("openapi.yaml"))
    for result in comparator.compare(pact):          # a parsed pact (V2, V3 or V4)
        print(result.code, result.message)

Result codes, their meaning and the order of the checks are those of PactFlow's open-source
comparator (`@pactflow/openapi-pact-comparator`); broker/README.md lists the rules. The steps
are one module each, in the order they run: routing, security, request_headers, query,
request_body, response_headers, status, response_body.
"""

from broker.provider_contracts.comparison.comparator import Comparator
from broker.provider_contracts.comparison.documents import Document, document_from_text, load_document
from broker.provider_contracts.comparison.errors import ComparisonError, DocumentError, PactError
from broker.provider_contracts.comparison.results import CODES, Result, has_errors

__all__ = [
    "CODES",
    "Comparator",
    "ComparisonError",
    "Document",
    "DocumentError",
    "PactError",
    "Result",
    "document_from_text",
    "has_errors",
    "load_document",
]
