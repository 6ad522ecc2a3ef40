"""The matrix page: a form for selectors and options, and the rows it selects, each linking to
its pact and verification.

The form submits plain fields (pacticipant, what to select, a value); the page answers with a
redirect to the same query in the official `q[][...]` form, so the address bar always holds the
URL the API and the CLI use, and an API client asking that URL gets the very same rows.
"""

from __future__ import annotations

from broker.api.decorators.matrix import reason_text
from broker.api.requests import BrokerRequest
from broker.api.responses import HalResponse
from broker.api.router import Router
from broker.errors import BrokerError, InvalidInputError
from broker.matrix import service
from broker.matrix.parse_query import DEFAULT_LIMIT, MatrixQuery, parse_matrix_query
from broker.matrix.selectors import UnresolvedSelector
from broker.nested_query import NestedQuery
from broker.pacticipants import service as pacticipants
from broker.ui import urls
from broker.ui.matrix_rows import (
    KINDS,
    LATEST_BY,
    canonical_query,
    is_form_submission,
    query_string_of,
    rows_of,
    selector_rows,
)
from broker.ui.rendering import page, redirect


def _errors(failure: BrokerError) -> list[str]:
    details = failure.errors
    if isinstance(details, dict):
        return [f"{key}: {'; '.join(value)}" for key, value in details.items()]
    return [str(item) for item in details]


def show_matrix(
    request: BrokerRequest, query: MatrixQuery | None, *, title: str = "Matrix", errors: list[str] | None = None
) -> HalResponse:
    results = None
    if query is not None and not errors:
        try:
            results = service.find(request.connection, query)
        except BrokerError as failure:  # e.g. an environment that does not exist
            errors = _errors(failure)
    api_path = f"{urls.MATRIX}?{query_string_of(query)}" if query is not None and not errors else None
    return page(
        request,
        "matrix.html",
        title=title,
        active="Matrix",
        selectors=selector_rows(query),
        kinds=KINDS,
        latest_by_options=LATEST_BY,
        latestby=(query.latestby if query else None) or "",
        limit=query.limit if query else DEFAULT_LIMIT,
        results=results,
        rows=rows_of(results) if results else [],
        reasons=[(reason.level, reason_text(reason)) for reason in results.summary.reasons] if results else [],
        errors=errors or [],
        api_path=api_path,
        status_code=400 if errors else 200,
    )


def register(router: Router) -> None:
    @router.route("GET", "/matrix", summary="The matrix", tag="UI")
    def matrix_page(request: BrokerRequest) -> HalResponse:
        if is_form_submission(request.query):
            return redirect(request, f"{urls.MATRIX}?{canonical_query(request.query)}")
        if not request.query.objects.get("q"):
            return show_matrix(request, None)
        try:
            query = parse_matrix_query(request.query)
        except InvalidInputError as failure:
            return show_matrix(request, _partial(request.query), errors=_errors(failure))
        return show_matrix(request, query)

    @router.route("GET", "/matrix/provider/{provider}/consumer/{consumer}", summary="An integration's matrix", tag="UI")
    def integration_matrix_page(request: BrokerRequest) -> HalResponse:
        consumer, provider = request.param("consumer"), request.param("provider")
        for name in (consumer, provider):
            pacticipants.get_pacticipant(request.connection, name)
        query = MatrixQuery(
            (UnresolvedSelector(consumer), UnresolvedSelector(provider)), latestby="cvpv", limit=DEFAULT_LIMIT
        )
        return show_matrix(request, query, title=f"Matrix of {consumer} and {provider}")


def _partial(query: NestedQuery) -> MatrixQuery:
    """What the form can show of an invalid query: its selectors' names and plain fields."""
    selectors = tuple(
        UnresolvedSelector(
            item.get("pacticipant", ""),
            version_number=item.get("version") or None,
            tag=item.get("tag") or None,
            branch=item.get("branch") or None,
            environment=item.get("environment") or None,
        )
        for item in query.objects.get("q", [])
    )
    return MatrixQuery(selectors)
