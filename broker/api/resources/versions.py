"""Resources for versions, tags and branches."""

from __future__ import annotations

from broker.api import schemas
from broker.api.decorators import provider_contracts as decorate_provider_contracts
from broker.api.decorators import versions as decorate
from broker.api.requests import BrokerRequest
from broker.api.resources.common import NOT_FOUND, PAGE_SCHEMA, WRITE_ERRORS, page_parameters
from broker.api.responses import HalResponse, created_or_ok, ok
from broker.api.router import QueryParameter, Router
from broker.deployments import repository as deployments_repository
from broker.pacticipants import service as pacticipants
from broker.provider_contracts import service as provider_contracts
from broker.versions import branches, repository, service, tags
from broker.versions.models import Version

TAG = "Versions"
PAGE = (
    QueryParameter("page", "Page number, from 1", PAGE_SCHEMA),
    QueryParameter("size", "Page size, 1 to 1000", {"type": "integer", "minimum": 1, "maximum": 1000}),
)


def version_body(request: BrokerRequest, version: Version) -> dict:
    connection = request.connection
    return decorate.version(
        request.links,
        version,
        branches.branches_of(connection, [version.id])[version.id],
        tags.tags_of(connection, [version.id])[version.id],
        deployments_repository.list_environments(connection),
        deployments_repository.deployed_of_versions(connection, [version.id]).get(version.id),
        deployments_repository.released_of_versions(connection, [version.id]).get(version.id),
    )


def register(router: Router) -> None:
    @router.route(
        "GET",
        "/pacticipants/{pacticipant}/versions",
        summary="List a pacticipant's versions, newest first",
        tag=TAG,
        query=PAGE,
        responses={200: "OK", 400: "Invalid paging", **NOT_FOUND},
    )
    def list_versions(request: BrokerRequest) -> HalResponse:
        limit, offset = page_parameters(request)
        pacticipant = pacticipants.get_pacticipant(request.connection, request.param("pacticipant"))
        items = repository.page(request.connection, pacticipant.id, limit, offset)
        branch_refs = branches.branches_of(request.connection, [v.id for v in items])
        tag_refs = tags.tags_of(request.connection, [v.id for v in items])
        environments = deployments_repository.list_environments(request.connection)
        ids = [v.id for v in items]
        deployed = deployments_repository.deployed_of_versions(request.connection, ids)
        released = deployments_repository.released_of_versions(request.connection, ids)
        bodies = [
            decorate.version(
                request.links,
                v,
                branch_refs[v.id],
                tag_refs[v.id],
                environments,
                deployed.get(v.id),
                released.get(v.id),
            )
            for v in items
        ]
        total = repository.count_for(request.connection, pacticipant.id)
        page = {"size": limit, "totalElements": total, "number": offset // limit + 1}
        return ok(decorate.version_list(request.links, pacticipant.name, bodies, page))

    @router.route(
        "GET",
        "/pacticipants/{pacticipant}/versions/{version}",
        summary="Describe a version (with its branches, tags and record-deployment links)",
        tag=TAG,
        responses={200: "OK", **NOT_FOUND},
        response_schema=schemas.VERSION,
    )
    def get_version(request: BrokerRequest) -> HalResponse:
        version = service.get_version(request.connection, request.param("pacticipant"), request.param("version"))
        body = version_body(request, version)
        contract = provider_contracts.contract_of_version(request.connection, version.id)
        if contract is not None:
            body["_links"].update(decorate_provider_contracts.version_links(request.links, contract))
        return ok(body)

    def _write(request: BrokerRequest, *, replace: bool) -> HalResponse:
        version, was_created = service.write_version(
            request.connection,
            request.param("pacticipant"),
            request.param("version"),
            request.json_object(required=False),
            replace=replace,
        )
        body = version_body(request, version)
        return created_or_ok(body, was_created, body["_links"]["self"]["href"])

    @router.route(
        "PUT",
        "/pacticipants/{pacticipant}/versions/{version}",
        summary="Create or replace a version (build URL, tags)",
        tag=TAG,
        request_schema=schemas.VERSION_BODY,
        request_required=False,
        responses={200: "Updated", 201: "Created", **WRITE_ERRORS},
        response_schema=schemas.VERSION,
    )
    def put_version(request: BrokerRequest) -> HalResponse:
        return _write(request, replace=True)

    @router.route(
        "PATCH",
        "/pacticipants/{pacticipant}/versions/{version}",
        summary="Create or update a version, merging the given fields",
        tag=TAG,
        request_schema=schemas.VERSION_BODY,
        request_required=False,
        responses={200: "Updated", 201: "Created", **WRITE_ERRORS},
        response_schema=schemas.VERSION,
    )
    def patch_version(request: BrokerRequest) -> HalResponse:
        return _write(request, replace=False)

    @router.route(
        "DELETE",
        "/pacticipants/{pacticipant}/versions/{version}",
        summary="Delete a version with its pacts and verifications",
        tag=TAG,
        responses={200: "Deleted", **NOT_FOUND, 503: "Database busy; retry"},
    )
    def delete_version(request: BrokerRequest) -> HalResponse:
        version = service.get_version(request.connection, request.param("pacticipant"), request.param("version"))
        body = version_body(request, version)
        service.delete_version(request.connection, version.pacticipant_name, version.number)
        return ok(body)

    @router.route(
        "GET",
        "/pacticipants/{pacticipant}/latest-version",
        summary="The newest version of a pacticipant",
        tag=TAG,
        responses={200: "OK", **NOT_FOUND},
        response_schema=schemas.VERSION,
    )
    def get_latest_version(request: BrokerRequest) -> HalResponse:
        return ok(version_body(request, service.latest_version(request.connection, request.param("pacticipant"))))

    @router.route(
        "GET",
        "/pacticipants/{pacticipant}/latest-version/{tag}",
        summary="The newest version of a pacticipant with a tag",
        tag=TAG,
        responses={200: "OK", **NOT_FOUND},
        response_schema=schemas.VERSION,
    )
    def get_latest_tagged_version(request: BrokerRequest) -> HalResponse:
        version = service.latest_version(request.connection, request.param("pacticipant"), request.param("tag"))
        return ok(version_body(request, version))

    @router.route(
        "GET",
        "/pacticipants/{pacticipant}/versions/{version}/tags",
        summary="List a version's tags",
        tag=TAG,
        responses={200: "OK", **NOT_FOUND},
    )
    def list_version_tags(request: BrokerRequest) -> HalResponse:
        version = service.get_version(request.connection, request.param("pacticipant"), request.param("version"))
        return ok(decorate.tag_list(request.links, version, tags.tags_of(request.connection, [version.id])[version.id]))

    @router.route(
        "GET",
        "/pacticipants/{pacticipant}/versions/{version}/tags/{tag}",
        summary="Describe a tag",
        tag=TAG,
        responses={200: "OK", **NOT_FOUND},
    )
    def get_tag(request: BrokerRequest) -> HalResponse:
        item = service.get_tag(
            request.connection, request.param("pacticipant"), request.param("version"), request.param("tag")
        )
        return ok(decorate.tag(request.links, item))

    @router.route(
        "PUT",
        "/pacticipants/{pacticipant}/versions/{version}/tags/{tag}",
        summary="Tag a version (creating the pacticipant and version when missing)",
        tag=TAG,
        request_schema=schemas.TAG_BODY,
        request_required=False,
        responses={200: "Already tagged", 201: "Tagged", **WRITE_ERRORS},
    )
    def put_tag(request: BrokerRequest) -> HalResponse:
        if request.body.strip():
            request.json_object()
        item, was_created = service.add_tag(
            request.connection, request.param("pacticipant"), request.param("version"), request.param("tag")
        )
        body = decorate.tag(request.links, item)
        return created_or_ok(body, was_created, body["_links"]["self"]["href"])

    @router.route(
        "DELETE",
        "/pacticipants/{pacticipant}/versions/{version}/tags/{tag}",
        summary="Remove a tag from a version",
        tag=TAG,
        responses={200: "Removed", **NOT_FOUND, 503: "Database busy; retry"},
    )
    def delete_tag(request: BrokerRequest) -> HalResponse:
        item = service.delete_tag(
            request.connection, request.param("pacticipant"), request.param("version"), request.param("tag")
        )
        return ok(decorate.tag(request.links, item))

    @router.route(
        "GET",
        "/pacticipants/{pacticipant}/branches",
        summary="List a pacticipant's branches, newest first",
        tag=TAG,
        query=(*PAGE, QueryParameter("q", "Only branches whose name contains this text")),
        responses={200: "OK", 400: "Invalid paging", **NOT_FOUND},
    )
    def list_branches(request: BrokerRequest) -> HalResponse:
        limit, offset = page_parameters(request)
        pacticipant = pacticipants.get_pacticipant(request.connection, request.param("pacticipant"))
        items = branches.list_for(request.connection, pacticipant.id, limit, offset, request.query_value("q"))
        return ok(decorate.branch_list(request.links, pacticipant.name, items))

    @router.route(
        "GET",
        "/pacticipants/{pacticipant}/branches/{branch}",
        summary="Describe a branch",
        tag=TAG,
        responses={200: "OK", **NOT_FOUND},
    )
    def get_branch(request: BrokerRequest) -> HalResponse:
        item = service.get_branch(request.connection, request.param("pacticipant"), request.param("branch"))
        return ok(decorate.branch(request.links, item))

    @router.route(
        "DELETE",
        "/pacticipants/{pacticipant}/branches/{branch}",
        summary="Delete a branch (its versions, pacts and verifications stay)",
        tag=TAG,
        responses={200: "Deleted", **NOT_FOUND, 503: "Database busy; retry"},
    )
    def delete_branch(request: BrokerRequest) -> HalResponse:
        item = service.delete_branch(request.connection, request.param("pacticipant"), request.param("branch"))
        return ok(decorate.branch(request.links, item))

    @router.route(
        "GET",
        "/pacticipants/{pacticipant}/branches/{branch}/versions",
        summary="List the versions on a branch, newest first",
        tag=TAG,
        query=PAGE,
        responses={200: "OK", 400: "Invalid paging", **NOT_FOUND},
    )
    def list_branch_versions(request: BrokerRequest) -> HalResponse:
        limit, offset = page_parameters(request)
        item = service.get_branch(request.connection, request.param("pacticipant"), request.param("branch"))
        versions = branches.versions_on(request.connection, item.id, limit, offset)
        return ok(decorate.branch_versions(request.links, item, versions))

    @router.route(
        "GET",
        "/pacticipants/{pacticipant}/branches/{branch}/versions/{version}",
        summary="Describe a version's membership of a branch",
        tag=TAG,
        responses={200: "OK", **NOT_FOUND},
    )
    def get_branch_version(request: BrokerRequest) -> HalResponse:
        item = service.get_branch_version(
            request.connection, request.param("pacticipant"), request.param("branch"), request.param("version")
        )
        return ok(decorate.branch_version(request.links, item))

    @router.route(
        "PUT",
        "/pacticipants/{pacticipant}/branches/{branch}/versions/{version}",
        summary="Put a version on a branch (creating pacticipant, version and branch when missing)",
        tag=TAG,
        request_schema={"type": "object"},
        request_required=False,
        responses={200: "Already on the branch", 201: "Added", **WRITE_ERRORS},
    )
    def put_branch_version(request: BrokerRequest) -> HalResponse:
        if request.body.strip():
            request.json_object()
        item, was_created = service.put_branch_version(
            request.connection, request.param("pacticipant"), request.param("branch"), request.param("version")
        )
        body = decorate.branch_version(request.links, item)
        return created_or_ok(body, was_created, body["_links"]["self"]["href"])

    @router.route(
        "DELETE",
        "/pacticipants/{pacticipant}/branches/{branch}/versions/{version}",
        summary="Take a version off a branch",
        tag=TAG,
        responses={200: "Removed", **NOT_FOUND, 503: "Database busy; retry"},
    )
    def delete_branch_version(request: BrokerRequest) -> HalResponse:
        item = service.get_branch_version(
            request.connection, request.param("pacticipant"), request.param("branch"), request.param("version")
        )
        body = decorate.branch_version(request.links, item)
        service.remove_from_branch(
            request.connection, request.param("pacticipant"), request.param("branch"), request.param("version")
        )
        return ok(body)
