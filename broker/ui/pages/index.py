"""The index (`/`, also `/ui/relationships`): every integration with its newest pact, its last
verification and its webhooks; `?search=`, `?page=`/`?pageSize=`; `?tags=true` (or a tag name)
lists the heads by tag, main branch and environment, as the official `?tags=true` does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup

from broker.api.requests import BrokerRequest
from broker.api.resources.common import page_parameters
from broker.api.responses import HalResponse
from broker.api.router import QueryParameter, Router
from broker.integrations import repository as integrations_repository
from broker.pacticipants import repository as pacticipants_repository
from broker.pacts import overview
from broker.pacts.models import Publication
from broker.storage.plans import generic_plans
from broker.ui import fragments, status, urls
from broker.ui.rendering import page, short
from broker.ui.time_ago import ago
from broker.ui.version_labels import Labels, labels_of
from broker.verifications import repository as verifications_repository
from broker.verifications.models import Verification
from broker.verifications.pseudo_branch_status import pseudo_branch_status
from broker.webhooks import status as webhook_status

DEFAULT_PAGE_SIZE = 100
DEFAULT_TAGS_PAGE_SIZE = 30
MAX_PAGE_SIZE = 500


@dataclass(frozen=True)
class Row:
    consumer: str
    provider: str
    publication: Publication
    latest: bool
    consumer_labels: Labels
    verification: Verification | None
    provider_labels: Labels
    verification_status: status.Shown
    webhooks: status.Shown | None
    webhooks_at: datetime | None


@dataclass(frozen=True, slots=True)
class RowView:
    """A row as the template writes it: links and cells made once in Python, because a page of
    rows calling filters, `url` and fragments from Jinja cost half of the index's CPU."""

    tone: str
    consumer: str
    provider: str
    consumer_href: str
    provider_href: str
    pact_href: str
    matrix_href: str
    dashboard_href: str
    delete_href: str
    consumer_version: Markup
    provider_version: Markup
    published: Markup
    webhooks: Markup
    verified: Markup


def _version(number: str) -> Markup:
    return Markup('<span class="version" title="{}">{}</span>').format(number, short(number))


_NO_VERSION = Markup('<span class="muted">\u2013</span>')


def _webhooks_cell(row: Row, url: Callable[[str], str]) -> Markup:
    if row.webhooks is None:
        return Markup("")
    if row.webhooks.key in ("success", "failure"):
        detail = ago(row.webhooks_at)
        return Markup('<a href="{}">{}</a>').format(url(urls.WEBHOOKS), fragments.shown(row.webhooks, detail))
    return fragments.shown(row.webhooks)


def _verified_cell(row: Row, url: Callable[[str], str]) -> Markup:
    cell = fragments.shown(row.verification_status)
    verification = row.verification
    if verification is None:
        return cell
    href = url(urls.verification(row.provider, row.consumer, verification.sha, verification.number))
    return cell + Markup(' <a href="{}">{}</a> by {}').format(
        href, fragments.when(verification.created_at), _version(verification.provider_version_number)
    )


def row_view(row: Row, url: Callable[[str], str], by_labels: bool) -> RowView:
    """What the index's template needs of a row, escaped where it is HTML."""
    publication, verification = row.publication, row.verification
    consumer_version = provider_version = Markup("")
    if by_labels:
        consumer_version = (
            _version(publication.consumer_version_number) + " " + fragments.labels(row.consumer_labels, row.latest)
        )
        provider_version = (
            _version(verification.provider_version_number) + " " + fragments.labels(row.provider_labels)
            if verification
            else _NO_VERSION
        )
    return RowView(
        tone=row.verification_status.tone,
        consumer=row.consumer,
        provider=row.provider,
        consumer_href=url(urls.pacticipant(row.consumer)),
        provider_href=url(urls.pacticipant(row.provider)),
        pact_href=url(urls.pact(row.provider, row.consumer, publication.consumer_version_number)),
        matrix_href=url(urls.integration_matrix(row.provider, row.consumer)),
        dashboard_href=url(urls.dashboard(row.provider, row.consumer)),
        delete_href=url(urls.integration(row.provider, row.consumer)),
        consumer_version=consumer_version,
        provider_version=provider_version,
        published=fragments.when(publication.created_at),
        webhooks=_webhooks_cell(row, url),
        verified=_verified_cell(row, url),
    )


@dataclass(frozen=True)
class Pagination:
    page: int
    size: int
    has_previous: bool
    has_next: bool
    total: int | None


def rows_for(
    request: BrokerRequest,
    publications: list[Publication],
    newest: set[int],
    integration_verifications: dict[tuple[int, int], Verification],
) -> list[Row]:
    """Rows for `publications`: those in `newest` (their integration's newest pact) with the
    integration's newest verification, so a changed pact shows "Changed"; the others with the
    newest verification of their own content. Shared with the integration dashboard.

    Its statements, and the lookups its callers make before it, find rows by ids and pairs
    (index probes whatever the values): callers run them in `generic_plans`, planned once per
    connection on PostgreSQL, where planning them afresh cost more than running them."""
    connection = request.connection
    pairs = [(p.consumer_id, p.provider_id) for p in publications if p.id in newest]
    content_verifications = verifications_repository.latest_for_pact_versions(
        connection, [p.pact_version_id for p in publications if p.id not in newest]
    )
    hooks = webhook_status.statuses(connection, pairs)
    chosen: dict[int, Verification | None] = {}
    for publication in publications:
        pair = (publication.consumer_id, publication.provider_id)
        chosen[publication.id] = (
            integration_verifications.get(pair)
            if publication.id in newest
            else content_verifications.get(publication.pact_version_id)
        )
    labels = labels_of(
        connection,
        [p.consumer_version_id for p in publications]
        + [v.provider_version_id for v in chosen.values() if v is not None],
    )
    rows = []
    for publication in publications:
        verification = chosen[publication.id]
        hook = hooks.get((publication.consumer_id, publication.provider_id)) if publication.id in newest else None
        rows.append(
            Row(
                consumer=publication.consumer_name,
                provider=publication.provider_name,
                publication=publication,
                latest=publication.id in newest,
                consumer_labels=labels.get(publication.consumer_version_id, Labels()),
                verification=verification,
                provider_labels=labels.get(verification.provider_version_id, Labels()) if verification else Labels(),
                verification_status=status.VERIFICATION[pseudo_branch_status(publication.sha, verification)],
                webhooks=status.WEBHOOK[hook.status] if hook else None,
                webhooks_at=hook.last_run_at if hook else None,
            )
        )
    return rows


def _integrations_view(request: BrokerRequest, search: str | None, limit: int, offset: int) -> tuple[list[Row], int]:
    connection = request.connection
    integrations = integrations_repository.page(connection, search, limit, offset)
    total = integrations_repository.count_matching(connection, search)
    pairs = [(i.consumer_id, i.provider_id) for i in integrations]
    with generic_plans(connection):  # lookups by ids: see `rows_for`
        newest = overview.newest_of_integrations(connection, pairs)
        verifications = verifications_repository.latest_for_integrations(connection, pairs)
        publications = [newest[pair] for pair in pairs if pair in newest]
        return rows_for(request, publications, {p.id for p in publications}, verifications), total


def _heads_view(
    request: BrokerRequest, search: str | None, tags: list[str] | None, limit: int, offset: int
) -> tuple[list[Row], bool]:
    connection = request.connection
    ids = pacticipants_repository.ids_matching(connection, search) if search else None
    found = overview.labelled_heads_page(
        connection, pacticipant_ids=ids, tag_names=tags, limit=limit + 1, offset=offset
    )
    publications = found[:limit]
    pairs = list(dict.fromkeys((p.consumer_id, p.provider_id) for p in publications))
    with generic_plans(connection):  # lookups by ids: see `rows_for`
        newest = overview.newest_publication_ids(connection, pairs)
        newest_here = {p.id for p in publications if p.id in newest}
        verifications = verifications_repository.latest_for_integrations(
            connection, [(p.consumer_id, p.provider_id) for p in publications if p.id in newest_here]
        )
        return rows_for(request, publications, newest_here, verifications), len(found) > limit


def show_index(request: BrokerRequest) -> HalResponse:
    search = (request.query_value("search") or "").strip() or None
    raw_tags = request.query_value("tags")
    by_labels = raw_tags is not None and raw_tags != "false"
    tags = None if raw_tags in (None, "true", "false") else [t.strip() for t in raw_tags.split(",") if t.strip()]
    default_size = DEFAULT_TAGS_PAGE_SIZE if by_labels else DEFAULT_PAGE_SIZE
    limit, offset = page_parameters(request, default_size, MAX_PAGE_SIZE)
    number = offset // limit + 1
    if by_labels:
        rows, has_next = _heads_view(request, search, tags, limit, offset)
        pagination = Pagination(number, limit, number > 1, has_next, None)
    else:
        rows, total = _integrations_view(request, search, limit, offset)
        pagination = Pagination(number, limit, number > 1, offset + limit < total, total)
    return page(
        request,
        "index.html",
        title="Pacts",
        rows=[row_view(row, request.links.url, by_labels) for row in rows],
        search=search or "",
        by_labels=by_labels,
        tags=raw_tags if by_labels else None,
        pagination=pagination,
        empty_search=bool(search) and not rows,
    )


QUERY = (
    QueryParameter("search", "Part of a consumer or provider name"),
    QueryParameter("page", "Page number, from 1"),
    QueryParameter("pageSize", "Rows per page"),
    QueryParameter("tags", "true: the heads by tag, main branch and environment; or tag names"),
)


def register(router: Router) -> None:
    for template, name in (("/", "index_page"), ("/ui/relationships", "relationships_page")):

        def handler(request: BrokerRequest) -> HalResponse:
            return show_index(request)

        handler.__name__ = name
        router.route("GET", template, summary="Integrations", tag="UI", query=QUERY)(handler)
