"""Resources for environments, recorded deployments and recorded releases."""

from __future__ import annotations

from broker import paths
from broker.api import schemas
from broker.api.decorators import deployments as decorate
from broker.api.requests import BrokerRequest
from broker.api.resources.common import NOT_FOUND, WRITE_ERRORS
from broker.api.responses import HalResponse, created, created_or_ok, ok
from broker.api.router import QueryParameter, Router
from broker.deployments import repository, service
from broker.deployments.tables import deployed_versions, released_versions
from broker.errors import InvalidInputError
from broker.pacticipants import repository as pacticipants_repository
from broker.versions import service as versions

TAG = "Environments and deployments"
PACTICIPANT_FILTER = (QueryParameter("pacticipant", "Only versions of this pacticipant"),)


def _pacticipant_ids(request: BrokerRequest) -> list[int] | None:
    name = request.query_value("pacticipant")
    if name is None:
        return None
    found = pacticipants_repository.find_by_name(request.connection, name)
    return [found.id] if found else []


def register(router: Router) -> None:
    @router.route(
        "GET",
        "/environments",
        summary="List environments",
        tag=TAG,
        query=(QueryParameter("name", "Only the environment with this name"),),
    )
    def list_environments(request: BrokerRequest) -> HalResponse:
        items = repository.list_environments(request.connection, request.query_value("name"))
        return ok(decorate.environment_list(request.links, items))

    @router.route(
        "POST",
        "/environments",
        summary="Create an environment",
        tag=TAG,
        request_schema=schemas.ENVIRONMENT_BODY,
        responses={201: "Created", 409: "Name or uuid already used", **WRITE_ERRORS},
        response_schema=schemas.ENVIRONMENT,
    )
    def create_environment(request: BrokerRequest) -> HalResponse:
        item = service.create_environment(request.connection, request.json_object())
        return created(decorate.environment(request.links, item), request.links.environment(item.uuid))

    @router.route(
        "GET",
        "/environments/{uuid}",
        summary="Describe an environment",
        tag=TAG,
        responses={200: "OK", **NOT_FOUND},
        response_schema=schemas.ENVIRONMENT,
    )
    def get_environment(request: BrokerRequest) -> HalResponse:
        return ok(
            decorate.environment(request.links, service.get_environment(request.connection, request.param("uuid")))
        )

    @router.route(
        "PUT",
        "/environments/{uuid}",
        summary="Update an environment",
        tag=TAG,
        request_schema=schemas.ENVIRONMENT_UPDATE,
        responses={200: "Updated", **NOT_FOUND, 409: "Name already used", **WRITE_ERRORS},
        response_schema=schemas.ENVIRONMENT,
    )
    def update_environment(request: BrokerRequest) -> HalResponse:
        body = request.json_object()
        item = service.update_environment(request.connection, request.param("uuid"), body)
        return ok(decorate.environment(request.links, item))

    @router.route(
        "DELETE",
        "/environments/{uuid}",
        summary="Delete an environment and its deployment records",
        tag=TAG,
        responses={200: "Deleted", **NOT_FOUND, 503: "Database busy; retry"},
    )
    def delete_environment(request: BrokerRequest) -> HalResponse:
        item = service.delete_environment(request.connection, request.param("uuid"))
        return ok(decorate.environment(request.links, item))

    @router.route(
        "GET",
        "/environments/{uuid}/deployed-versions/currently-deployed",
        summary="Versions currently deployed to an environment",
        tag=TAG,
        query=PACTICIPANT_FILTER,
        responses={200: "OK", **NOT_FOUND},
    )
    def list_currently_deployed(request: BrokerRequest) -> HalResponse:
        environment = service.get_environment(request.connection, request.param("uuid"))
        items = repository.currently_deployed(request.connection, environment.id, _pacticipant_ids(request))
        href = request.links.url(f"{paths.environment(environment.uuid)}/deployed-versions/currently-deployed")
        return ok(decorate.deployed_list(request.links, href, items))

    @router.route(
        "GET",
        "/environments/{uuid}/released-versions/currently-supported",
        summary="Versions released to an environment and still supported",
        tag=TAG,
        query=PACTICIPANT_FILTER,
        responses={200: "OK", **NOT_FOUND},
    )
    def list_currently_supported(request: BrokerRequest) -> HalResponse:
        environment = service.get_environment(request.connection, request.param("uuid"))
        items = repository.currently_supported(request.connection, environment.id, _pacticipant_ids(request))
        href = request.links.url(f"{paths.environment(environment.uuid)}/released-versions/currently-supported")
        return ok(decorate.released_list(request.links, href, items))

    @router.route(
        "POST",
        "/pacticipants/{pacticipant}/versions/{version}/deployed-versions/environment/{uuid}",
        summary="Record a deployment (replacing the version deployed to the same application instance)",
        tag=TAG,
        request_schema=schemas.DEPLOYMENT_BODY,
        request_required=False,
        responses={200: "Already deployed", 201: "Recorded", **NOT_FOUND, **WRITE_ERRORS},
        response_schema=schemas.DEPLOYED_VERSION,
    )
    def record_deployment(request: BrokerRequest) -> HalResponse:
        body = request.json_object(required=False)
        target = body.get("applicationInstance", body.get("target"))
        if target is not None and not isinstance(target, str):
            raise InvalidInputError(
                "applicationInstance must be a string", {"applicationInstance": ["must be a string"]}
            )
        version = versions.get_version(request.connection, request.param("pacticipant"), request.param("version"))
        environment = service.get_environment(request.connection, request.param("uuid"))
        item, was_created = service.record_deployment(request.connection, version, environment, target)
        return created_or_ok(
            decorate.deployed_version(request.links, item), was_created, request.links.deployed_version(item.uuid)
        )

    @router.route(
        "GET",
        "/pacticipants/{pacticipant}/versions/{version}/deployed-versions/environment/{uuid}",
        summary="Deployments of a version to an environment",
        tag=TAG,
        responses={200: "OK", **NOT_FOUND},
    )
    def list_version_deployments(request: BrokerRequest) -> HalResponse:
        version = versions.get_version(request.connection, request.param("pacticipant"), request.param("version"))
        environment = service.get_environment(request.connection, request.param("uuid"))
        items = repository.deployed_where(
            request.connection,
            deployed_versions.c.version_id == version.id,
            deployed_versions.c.environment_id == environment.id,
        )
        version_path = paths.version(version.pacticipant_name, version.number)
        href = request.links.url(f"{version_path}/deployed-versions/environment/{paths.segment(environment.uuid)}")
        return ok(decorate.deployed_list(request.links, href, items))

    @router.route(
        "POST",
        "/pacticipants/{pacticipant}/versions/{version}/released-versions/environment/{uuid}",
        summary="Record a release (several releases can be supported at once)",
        tag=TAG,
        request_schema={"type": "object"},
        request_required=False,
        responses={200: "Already released", 201: "Recorded", **NOT_FOUND, **WRITE_ERRORS},
        response_schema=schemas.RELEASED_VERSION,
    )
    def record_release(request: BrokerRequest) -> HalResponse:
        request.json_object(required=False)
        version = versions.get_version(request.connection, request.param("pacticipant"), request.param("version"))
        environment = service.get_environment(request.connection, request.param("uuid"))
        item, was_created = service.record_release(request.connection, version, environment)
        return created_or_ok(
            decorate.released_version(request.links, item), was_created, request.links.released_version(item.uuid)
        )

    @router.route(
        "GET",
        "/pacticipants/{pacticipant}/versions/{version}/released-versions/environment/{uuid}",
        summary="Releases of a version to an environment",
        tag=TAG,
        responses={200: "OK", **NOT_FOUND},
    )
    def list_version_releases(request: BrokerRequest) -> HalResponse:
        version = versions.get_version(request.connection, request.param("pacticipant"), request.param("version"))
        environment = service.get_environment(request.connection, request.param("uuid"))
        items = repository.released_where(
            request.connection,
            released_versions.c.version_id == version.id,
            released_versions.c.environment_id == environment.id,
        )
        version_path = paths.version(version.pacticipant_name, version.number)
        href = request.links.url(f"{version_path}/released-versions/environment/{paths.segment(environment.uuid)}")
        return ok(decorate.released_list(request.links, href, items))

    @router.route(
        "GET",
        "/deployed-versions/{uuid}",
        summary="Describe a recorded deployment",
        tag=TAG,
        responses={200: "OK", **NOT_FOUND},
        response_schema=schemas.DEPLOYED_VERSION,
    )
    def get_deployed_version(request: BrokerRequest) -> HalResponse:
        return ok(
            decorate.deployed_version(
                request.links, service.get_deployed_version(request.connection, request.param("uuid"))
            )
        )

    @router.route(
        "PATCH",
        "/deployed-versions/{uuid}",
        summary='Record an undeployment with {"currentlyDeployed": false}',
        tag=TAG,
        request_schema=schemas.UNDEPLOY_BODY,
        responses={200: "Updated", **NOT_FOUND, 422: "A deployment cannot be redeployed", **WRITE_ERRORS},
        response_schema=schemas.DEPLOYED_VERSION,
    )
    def patch_deployed_version(request: BrokerRequest) -> HalResponse:
        body = request.json_object()
        value = body.get("currentlyDeployed")
        if not isinstance(value, bool):
            raise InvalidInputError(
                "currentlyDeployed must be true or false", {"currentlyDeployed": ["must be true or false"]}
            )
        item = service.set_currently_deployed(request.connection, request.param("uuid"), value)
        return ok(decorate.deployed_version(request.links, item))

    @router.route(
        "GET",
        "/released-versions/{uuid}",
        summary="Describe a recorded release",
        tag=TAG,
        responses={200: "OK", **NOT_FOUND},
        response_schema=schemas.RELEASED_VERSION,
    )
    def get_released_version(request: BrokerRequest) -> HalResponse:
        return ok(
            decorate.released_version(
                request.links, service.get_released_version(request.connection, request.param("uuid"))
            )
        )

    @router.route(
        "PATCH",
        "/released-versions/{uuid}",
        summary='End (or resume) support with {"currentlySupported": false}',
        tag=TAG,
        request_schema=schemas.END_SUPPORT_BODY,
        responses={200: "Updated", **NOT_FOUND, **WRITE_ERRORS},
        response_schema=schemas.RELEASED_VERSION,
    )
    def patch_released_version(request: BrokerRequest) -> HalResponse:
        body = request.json_object()
        value = body.get("currentlySupported")
        if not isinstance(value, bool):
            raise InvalidInputError(
                "currentlySupported must be true or false", {"currentlySupported": ["must be true or false"]}
            )
        item = service.set_currently_supported(request.connection, request.param("uuid"), value)
        return ok(decorate.released_version(request.links, item))
