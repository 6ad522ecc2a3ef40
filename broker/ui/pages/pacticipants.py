"""Pacticipants: the list, and one pacticipant's details, versions (with branches, tags,
deployments and releases, a page at a time) and its neighbourhood in the network."""

from __future__ import annotations

from broker.api.requests import BrokerRequest
from broker.api.resources.common import page_parameters
from broker.api.responses import HalResponse
from broker.api.router import Router
from broker.deployments import repository as deployments_repository
from broker.integrations import repository as integrations_repository
from broker.pacticipants import repository as pacticipants_repository
from broker.pacticipants import service as pacticipants
from broker.provider_contracts import repository as contracts_repository
from broker.ui import status
from broker.ui.integration_status import statuses_of
from broker.ui.network_layout import layout
from broker.ui.pages.index import Pagination
from broker.ui.rendering import page
from broker.ui.version_labels import Labels, labels_of
from broker.versions import branches
from broker.versions import repository as versions_repository

VERSIONS_PAGE = 30
RECENT_BRANCHES = 20


def register(router: Router) -> None:
    @router.route("GET", "/pacticipants", summary="Pacticipants", tag="UI")
    def pacticipants_page(request: BrokerRequest) -> HalResponse:
        limit, offset = page_parameters(request, 100, 500)
        connection = request.connection
        found = pacticipants_repository.list_all(connection, limit=limit, offset=offset)
        total = pacticipants_repository.count(connection)
        labels = pacticipants_repository.ids_with_labels(connection, [p.id for p in found])
        number = offset // limit + 1
        return page(
            request,
            "pacticipants.html",
            title="Pacticipants",
            active="Pacticipants",
            pacticipants=[(p, labels.get(p.id, [])) for p in found],
            pagination=Pagination(number, limit, number > 1, offset + limit < total, total),
        )

    @router.route("GET", "/pacticipants/{pacticipant}", summary="A pacticipant", tag="UI")
    def pacticipant_page(request: BrokerRequest) -> HalResponse:
        connection = request.connection
        pacticipant = pacticipants.get_pacticipant(connection, request.param("pacticipant"))
        limit, offset = page_parameters(request, VERSIONS_PAGE, 200)
        versions = versions_repository.page(connection, pacticipant.id, limit, offset)
        total = versions_repository.count_for(connection, pacticipant.id)
        labels = labels_of(connection, [v.id for v in versions])
        deployed = deployments_repository.deployed_of_versions(connection, [v.id for v in versions])
        released = deployments_repository.released_of_versions(connection, [v.id for v in versions])
        with_contracts = contracts_repository.versions_with_contracts(connection, [v.id for v in versions])
        integrations = integrations_repository.involving(connection, pacticipant.id)
        statuses = statuses_of(connection, integrations)
        shown = {
            (i.consumer_name, i.provider_name): status.VERIFICATION[statuses[(i.consumer_id, i.provider_id)]]
            for i in integrations
        }
        neighbours = {pacticipant.name} | {name for pair in shown for name in pair}
        number = offset // limit + 1
        return page(
            request,
            "pacticipant.html",
            title=pacticipant.display_name or pacticipant.name,
            active="Pacticipants",
            breadcrumbs=[("Pacticipants", "/pacticipants"), (pacticipant.name, None)],
            pacticipant=pacticipant,
            pacticipant_labels=pacticipants_repository.labels_of(connection, pacticipant.id),
            versions=[
                (v, labels.get(v.id, Labels()), deployed.get(v.id, []), released.get(v.id, [])) for v in versions
            ],
            with_contracts=with_contracts,
            pagination=Pagination(number, limit, number > 1, offset + limit < total, total),
            version_count=total,
            recent_branches=branches.list_for(connection, pacticipant.id, RECENT_BRANCHES, 0, None),
            environments=deployments_repository.list_environments(connection),
            drawing=layout(neighbours, [(c, p, s.key) for (c, p), s in shown.items()], highlighted=pacticipant.name),
            integrations=sorted(shown.items()),
        )
