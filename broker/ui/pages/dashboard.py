"""The integration dashboard (`/dashboard/provider/{p}/consumer/{c}?view=branch|tag|environment|all`):
the consumer versions of one integration (by branch, by tag, in environments, or all), each with
the provider version that verified its pact last and the official status, 30 rows a page.

Rows are built as the index builds them (`index.rows_for`): the integration's newest pact shows
the integration's newest verification (so a changed pact reads "Changed"), every other pact the
newest verification of its own content.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from broker.api.requests import BrokerRequest
from broker.api.resources.common import page_parameters
from broker.api.responses import HalResponse
from broker.api.router import QueryParameter, Router
from broker.errors import InvalidInputError, NotFoundError
from broker.pacticipants import repository as pacticipants_repository
from broker.pacts import overview
from broker.pacts import repository as pacts_repository
from broker.storage.plans import generic_plans
from broker.ui import urls
from broker.ui.dashboard_rows import DEFAULT_VIEW, VIEWS, Listed, dashboard_page
from broker.ui.pages.index import Pagination, RowView, row_view, rows_for
from broker.ui.rendering import page
from broker.verifications import repository as verifications_repository

PAGE_SIZE = 30  # as the official dashboard
MAX_PAGE_SIZE = 200
VIEW_NAMES = {"branch": "By branch", "tag": "By tag", "environment": "By environment", "all": "All versions"}
REASONS = {"branch": "branch", "tag": "tag", "deployed": "deployed to", "released": "released to"}


@dataclass(frozen=True, slots=True)
class DashboardRow:
    why: Markup
    row: RowView


def _why(listed: Listed) -> Markup:
    if not listed.kind:
        return Markup("")
    css = "env" if listed.kind in ("deployed", "released") else listed.kind
    return Markup('<span class="label {}">{} {}</span>').format(css, REASONS[listed.kind], listed.reason)


def show_dashboard(request: BrokerRequest) -> HalResponse:
    provider_name, consumer_name = request.param("provider"), request.param("consumer")
    view = request.query_value("view") or DEFAULT_VIEW
    if view not in VIEWS:
        raise InvalidInputError(f"view must be one of {', '.join(VIEWS)}", {"view": [f"must be one of {VIEWS}"]})
    limit, offset = page_parameters(request, PAGE_SIZE, MAX_PAGE_SIZE)
    connection = request.connection
    found = pacticipants_repository.find_by_names(connection, [provider_name, consumer_name])
    provider, consumer = found.get(provider_name), found.get(consumer_name)
    if provider is None or consumer is None:
        missing = provider_name if provider is None else consumer_name
        raise NotFoundError(f"No pacticipant with name '{missing}' found")
    listed, total = dashboard_page(
        connection,
        view=view,
        provider_id=provider.id,
        consumer_id=consumer.id,
        main_branch=consumer.main_branch,
        limit=limit,
        offset=offset,
    )
    wanted = [item.publication_id for item in listed]
    pair = (consumer.id, provider.id)
    with generic_plans(connection):  # lookups by ids: see `rows_for`
        by_id = {p.id: p for p in pacts_repository.publications_by_ids(connection, wanted)}
        kept = [item for item in listed if item.publication_id in by_id]
        publications = [by_id[item.publication_id] for item in kept]
        newest_of_pair = overview.newest_publication_ids(connection, [pair])
        newest = newest_of_pair & set(by_id)
        verifications = verifications_repository.latest_for_integrations(connection, [pair]) if newest else {}
        rows = rows_for(request, publications, newest, verifications)
    number = offset // limit + 1
    return page(
        request,
        "dashboard.html",
        title=f"Dashboard of {consumer_name} and {provider_name}",
        active="Pacts",
        breadcrumbs=[
            ("Pacts", urls.INDEX),
            (consumer_name, urls.pacticipant(consumer_name)),
            (provider_name, urls.pacticipant(provider_name)),
            ("dashboard", None),
        ],
        consumer=consumer_name,
        provider=provider_name,
        view=view,
        view_label=VIEW_NAMES[view],
        has_pacts=bool(newest_of_pair),
        views=[(name, VIEW_NAMES[name], urls.dashboard(provider_name, consumer_name, name)) for name in VIEWS],
        rows=[
            DashboardRow(_why(item), row_view(row, request.links.url, by_labels=True))
            for item, row in zip(kept, rows, strict=True)
        ],
        pagination=Pagination(number, limit, number > 1, offset + limit < total, total),
        path=urls.dashboard(provider_name, consumer_name),
    )


QUERY = (
    QueryParameter("view", "branch (default), tag, environment or all"),
    QueryParameter("page", "Page number, from 1"),
    QueryParameter("pageSize", "Rows per page (30 unless told)"),
)


def register(router: Router) -> None:
    @router.route(
        "GET",
        "/dashboard/provider/{provider}/consumer/{consumer}",
        summary="One integration's versions and their verifications",
        tag="UI",
        query=QUERY,
    )
    def dashboard_page_view(request: BrokerRequest) -> HalResponse:
        return show_dashboard(request)
