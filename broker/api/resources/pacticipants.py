"""Resources for pacticipants and labels."""

from __future__ import annotations

from typing import Any

from broker import paths
from broker.api import schemas
from broker.api.decorators import pacticipants as decorate
from broker.api.requests import BrokerRequest
from broker.api.resources.common import BODY_ERRORS, NOT_FOUND, WRITE_ERRORS
from broker.api.responses import HalResponse, created, created_or_ok, ok
from broker.api.router import Router
from broker.deployments import repository as deployments_repository
from broker.pacticipants import repository, service
from broker.pacticipants.models import Pacticipant

TAG = "Pacticipants"


def _body(request: BrokerRequest, item: Pacticipant) -> dict[str, Any]:
    """One pacticipant with its labels and where its versions are deployed now."""
    connection = request.connection
    deployed = deployments_repository.currently_deployed(connection, None, [item.id])
    return decorate.pacticipant(request.links, item, repository.labels_of(connection, item.id), deployed)


def register(router: Router) -> None:
    @router.route("GET", "/pacticipants", summary="List pacticipants", tag=TAG, response_schema=schemas.PACTICIPANTS)
    def list_pacticipants(request: BrokerRequest) -> HalResponse:
        items = repository.list_all(request.connection)
        labels = repository.ids_with_labels(request.connection, [item.id for item in items])
        return ok(decorate.pacticipant_list(request.links, items, labels))

    @router.route(
        "POST",
        "/pacticipants",
        summary="Create a pacticipant",
        tag=TAG,
        request_schema=schemas.PACTICIPANT_CREATE,
        responses={201: "Created", 409: "Already exists", **WRITE_ERRORS},
        response_schema=schemas.PACTICIPANT,
    )
    def create_pacticipant(request: BrokerRequest) -> HalResponse:
        item = service.create_pacticipant(request.connection, request.json_object())
        return created(decorate.pacticipant(request.links, item), request.links.pacticipant(item.name))

    @router.route(
        "GET",
        "/pacticipants/label/{label}",
        summary="List pacticipants with a label",
        tag=TAG,
        response_schema=schemas.PACTICIPANTS,
    )
    def list_pacticipants_with_label(request: BrokerRequest) -> HalResponse:
        items = repository.with_label(request.connection, request.param("label"))
        labels = repository.ids_with_labels(request.connection, [item.id for item in items])
        return ok(decorate.pacticipant_list(request.links, items, labels))

    @router.route(
        "GET",
        "/pacticipants/{pacticipant}",
        summary="Describe a pacticipant",
        tag=TAG,
        responses={200: "OK", **NOT_FOUND},
        response_schema=schemas.PACTICIPANT,
    )
    def get_pacticipant(request: BrokerRequest) -> HalResponse:
        item = service.get_pacticipant(request.connection, request.param("pacticipant"))
        return ok(_body(request, item))

    def _write(request: BrokerRequest, *, replace: bool) -> HalResponse:
        name = request.param("pacticipant")
        item, was_created = service.update_pacticipant(request.connection, name, request.json_object(), replace=replace)
        return created_or_ok(_body(request, item), was_created, request.links.pacticipant(item.name))

    @router.route(
        "PUT",
        "/pacticipants/{pacticipant}",
        summary="Create or replace a pacticipant",
        tag=TAG,
        request_schema=schemas.PACTICIPANT_BODY,
        responses={200: "Updated", 201: "Created", **WRITE_ERRORS},
        response_schema=schemas.PACTICIPANT,
    )
    def put_pacticipant(request: BrokerRequest) -> HalResponse:
        return _write(request, replace=True)

    @router.route(
        "PATCH",
        "/pacticipants/{pacticipant}",
        summary="Create or update some fields of a pacticipant (merge patch)",
        tag=TAG,
        request_schema=schemas.PACTICIPANT_BODY,
        responses={200: "Updated", 201: "Created", **WRITE_ERRORS},
        response_schema=schemas.PACTICIPANT,
    )
    def patch_pacticipant(request: BrokerRequest) -> HalResponse:
        return _write(request, replace=False)

    @router.route(
        "DELETE",
        "/pacticipants/{pacticipant}",
        summary="Delete a pacticipant with its versions, pacts and verifications",
        tag=TAG,
        responses={200: "Deleted", **NOT_FOUND, 503: "Database busy; retry"},
        response_schema=schemas.PACTICIPANT,
    )
    def delete_pacticipant(request: BrokerRequest) -> HalResponse:
        item = service.delete_pacticipant(request.connection, request.param("pacticipant"))
        return ok(decorate.pacticipant(request.links, item))

    @router.route(
        "GET",
        "/pacticipants/{pacticipant}/labels/{label}",
        summary="Describe a pacticipant's label",
        tag=TAG,
        responses={200: "OK", **NOT_FOUND},
    )
    def get_label(request: BrokerRequest) -> HalResponse:
        item = service.get_label(request.connection, request.param("pacticipant"), request.param("label"))
        return ok(decorate.label(request.links, item))

    @router.route(
        "PUT",
        "/pacticipants/{pacticipant}/labels/{label}",
        summary="Label a pacticipant",
        tag=TAG,
        request_schema={"type": "object"},
        request_required=False,
        responses={200: "Labelled", 201: "Labelled", **BODY_ERRORS, 503: "Database busy; retry"},
    )
    def put_label(request: BrokerRequest) -> HalResponse:
        if request.body.strip():
            request.json_object()
        name = request.param("pacticipant")
        item, was_created = service.add_label(request.connection, name, request.param("label"))
        location = request.links.url(f"{paths.pacticipant(name)}/labels/{paths.segment(item.name)}")
        return created_or_ok(decorate.label(request.links, item), was_created, location)

    @router.route(
        "DELETE",
        "/pacticipants/{pacticipant}/labels/{label}",
        summary="Remove a label",
        tag=TAG,
        responses={200: "Removed", **NOT_FOUND, 503: "Database busy; retry"},
    )
    def delete_label(request: BrokerRequest) -> HalResponse:
        item = service.get_label(request.connection, request.param("pacticipant"), request.param("label"))
        service.remove_label(request.connection, request.param("pacticipant"), request.param("label"))
        return ok(decorate.label(request.links, item))
