"""Environments: what is deployed and released in each now, and one environment's history."""

from __future__ import annotations

from broker.api.requests import BrokerRequest
from broker.api.resources.common import page_parameters
from broker.api.responses import HalResponse
from broker.api.router import Router
from broker.deployments import repository as deployments_repository
from broker.deployments import service as deployments
from broker.ui.pages.index import Pagination
from broker.ui.rendering import page

HISTORY_PAGE = 50


def register(router: Router) -> None:
    @router.route("GET", "/environments", summary="Environments", tag="UI")
    def environments_page(request: BrokerRequest) -> HalResponse:
        connection = request.connection
        environments = deployments_repository.list_environments(connection)
        deployed = deployments_repository.currently_deployed(connection)
        released = deployments_repository.currently_supported(connection)
        return page(
            request,
            "environments.html",
            title="Environments",
            active="Environments",
            environments=[
                (
                    e,
                    sorted((d for d in deployed if d.environment.id == e.id), key=lambda d: d.version.pacticipant_name),
                    sorted((r for r in released if r.environment.id == e.id), key=lambda r: r.version.pacticipant_name),
                )
                for e in environments
            ],
        )

    @router.route("GET", "/environments/{uuid}", summary="An environment", tag="UI")
    def environment_page(request: BrokerRequest) -> HalResponse:
        connection = request.connection
        environment = deployments.get_environment(connection, request.param("uuid"))
        limit, offset = page_parameters(request, HISTORY_PAGE, 500)
        deployed_history, released_history = deployments_repository.history_of_environment(
            connection, environment.id, limit + 1, offset
        )
        number = offset // limit + 1
        has_next = len(deployed_history) > limit or len(released_history) > limit
        return page(
            request,
            "environment.html",
            title=f"Environment {environment.display_name or environment.name}",
            active="Environments",
            breadcrumbs=[("Environments", "/environments"), (environment.name, None)],
            environment=environment,
            deployed=sorted(
                deployments_repository.currently_deployed(connection, environment.id),
                key=lambda d: d.version.pacticipant_name,
            ),
            released=sorted(
                deployments_repository.currently_supported(connection, environment.id),
                key=lambda r: r.version.pacticipant_name,
            ),
            deployed_history=deployed_history[:limit],
            released_history=released_history[:limit],
            pagination=Pagination(number, limit, number > 1, has_next, None),
        )
