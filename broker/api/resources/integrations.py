"""Resources for integrations."""

from __future__ import annotations

from broker.api.decorators import integrations as decorate
from broker.api.requests import BrokerRequest
from broker.api.resources.common import NOT_FOUND
from broker.api.responses import HalResponse, ok
from broker.api.router import Router
from broker.integrations import service

TAG = "Integrations"


def register(router: Router) -> None:
    @router.route("GET", "/integrations", summary="List integrations", tag=TAG)
    def list_integrations(request: BrokerRequest) -> HalResponse:
        return ok(decorate.integration_list(request.links, service.list_integrations(request.connection)))

    @router.route(
        "GET",
        "/integrations/provider/{provider}/consumer/{consumer}",
        summary="Describe an integration",
        tag=TAG,
        responses={200: "OK", **NOT_FOUND},
    )
    def get_integration(request: BrokerRequest) -> HalResponse:
        item = service.get_integration(request.connection, request.param("consumer"), request.param("provider"))
        return ok(decorate.integration(request.links, item))

    @router.route(
        "DELETE",
        "/integrations/provider/{provider}/consumer/{consumer}",
        summary="Delete an integration with the pair's pacts and verifications",
        tag=TAG,
        responses={200: "Deleted", **NOT_FOUND, 503: "Database busy; retry"},
    )
    def delete_integration(request: BrokerRequest) -> HalResponse:
        item = service.delete_integration(request.connection, request.param("consumer"), request.param("provider"))
        return ok(decorate.integration(request.links, item))
