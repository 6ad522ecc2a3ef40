"""Resources for publishing and fetching pacts."""

from __future__ import annotations

from typing import Any

from broker.api import schemas
from broker.api.decorators import pacts as decorate
from broker.api.decorators import provider_contracts as decorate_provider_contracts
from broker.api.requests import BrokerRequest
from broker.api.resources.common import NOT_FOUND, PAGE_SCHEMA, WRITE_ERRORS, page_parameters
from broker.api.responses import HalResponse, created_or_ok, ok
from broker.api.router import QueryParameter, Router
from broker.errors import InvalidInputError
from broker.limits import MAX_TAGS, at_most
from broker.pacticipants import service as pacticipants
from broker.pacts import content, publish, service
from broker.provider_contracts import service as provider_contracts

TAG = "Pacts"
PUBLISH_TAG = "Publishing"


def _optional_string(body: dict[str, Any], field: str) -> str | None:
    value = body.get(field)
    if value is not None and not isinstance(value, str):
        raise InvalidInputError(f"{field} must be a string", {field: ["must be a string"]})
    return value


def register(router: Router) -> None:
    def _publication(request: BrokerRequest) -> dict[str, Any]:
        """The publish body checked, and its contracts decoded and hashed: before the transaction."""
        body = request.json_object()
        name = body.get("pacticipantName")
        number = body.get("pacticipantVersionNumber")
        errors = {}
        if not isinstance(name, str):
            errors["pacticipantName"] = ["is required"]
        if not isinstance(number, str):
            errors["pacticipantVersionNumber"] = ["is required"]
        tags = body.get("tags") or []
        if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
            errors["tags"] = ["must be a list of strings"]
        if errors:
            raise InvalidInputError("The publication is invalid", errors)
        assert isinstance(name, str)
        assert isinstance(number, str)
        at_most(tags, MAX_TAGS, "tags", "tags")
        return {
            "pacticipant_name": name,
            "version_number": number,
            "branch": _optional_string(body, "branch"),
            "tags": tags,
            "build_url": _optional_string(body, "buildUrl"),
            "contracts": publish.prepare_contracts(name, body.get("contracts")),
        }

    @router.route(
        "POST",
        "/contracts/publish",
        summary="Publish a consumer version's pacts (with branch, tags and build URL)",
        tag=PUBLISH_TAG,
        request_schema=schemas.PUBLISH_CONTRACTS_BODY,
        responses={200: "Published", 409: "Content changed for an existing consumer version", **WRITE_ERRORS},
        response_schema=schemas.PUBLISH_CONTRACTS_RESULT,
        prepare=_publication,
    )
    def publish_contracts(request: BrokerRequest) -> HalResponse:
        result = publish.publish_contracts(
            request.connection,
            **request.prepared,
            allow_modification=request.settings.allow_dangerous_contract_modification,
        )
        return ok(decorate.publish_result(request.links, result))

    base = "/pacts/provider/{provider}/consumer/{consumer}"

    @router.route(
        "GET",
        f"{base}/version/{{version}}",
        summary="The pact a consumer version published for a provider",
        tag=TAG,
        responses={200: "OK", **NOT_FOUND},
        response_schema=schemas.PACT,
    )
    def get_pact(request: BrokerRequest) -> HalResponse:
        pact = service.pact_for_version(
            request.connection, request.param("provider"), request.param("consumer"), request.param("version")
        )
        body = decorate.pact(request.links, pact)
        if pact.publication is not None:
            compared = provider_contracts.cross_contracts_of_pact(request.connection, pact.publication)
            summary = [(item.provider_version_number, item.result.success) for item in compared]
            body["_links"].update(decorate_provider_contracts.pact_links(request.links, pact.publication, summary))
        return ok(body)

    def _legacy_pact(request: BrokerRequest, *, merge: bool) -> publish.Contract:
        """The pact of the pre-2021 PUT/PATCH, checked and hashed before the transaction."""
        document = request.json()
        problem = content.pact_problem(document)
        if problem:
            raise InvalidInputError(f"The body is not a pact: {problem}", {"pact": [problem]})
        return publish.legacy_contract(request.param("consumer"), request.param("provider"), document, merge=merge)

    def _legacy(request: BrokerRequest, *, merge: bool) -> HalResponse:
        contract: publish.Contract = request.prepared
        document = contract.document
        published = publish.publish_legacy(
            request.connection,
            provider_name=request.param("provider"),
            consumer_name=request.param("consumer"),
            version_number=request.param("version"),
            document=document,
            merge=merge,
            allow_modification=request.settings.allow_dangerous_contract_modification,
            contract=contract,
        )
        pact = service.pact_of(request.connection, published.publication)
        href = request.links.pact_for_version(
            request.param("provider"), request.param("consumer"), request.param("version")
        )
        return created_or_ok(decorate.pact(request.links, pact), published.outcome == "created", href)

    @router.route(
        "PUT",
        f"{base}/version/{{version}}",
        summary="Publish one pact (the pre-2021 API)",
        tag=PUBLISH_TAG,
        request_schema=schemas.PACT_DOCUMENT,
        responses={200: "Republished", 201: "Published", 409: "Content changed", **WRITE_ERRORS},
        response_schema=schemas.PACT,
        prepare=lambda request: _legacy_pact(request, merge=False),
    )
    def put_pact(request: BrokerRequest) -> HalResponse:
        return _legacy(request, merge=False)

    @router.route(
        "PATCH",
        f"{base}/version/{{version}}",
        summary="Merge interactions into a published pact (the pre-2021 API)",
        tag=PUBLISH_TAG,
        request_schema=schemas.PACT_DOCUMENT,
        responses={200: "Merged", 201: "Published", **WRITE_ERRORS},
        response_schema=schemas.PACT,
        prepare=lambda request: _legacy_pact(request, merge=True),
    )
    def patch_pact(request: BrokerRequest) -> HalResponse:
        return _legacy(request, merge=True)

    @router.route(
        "DELETE",
        f"{base}/version/{{version}}",
        summary="Delete a consumer version's pact with a provider",
        tag=TAG,
        responses={200: "Deleted", **NOT_FOUND, 503: "Database busy; retry"},
        response_schema=schemas.PACT,
    )
    def delete_pact(request: BrokerRequest) -> HalResponse:
        pact = service.delete_pact(
            request.connection, request.param("provider"), request.param("consumer"), request.param("version")
        )
        return ok(decorate.pact(request.links, pact))

    @router.route(
        "GET",
        f"{base}/latest",
        summary="The newest pact between a consumer and a provider",
        tag=TAG,
        responses={200: "OK", **NOT_FOUND},
        response_schema=schemas.PACT,
    )
    def get_latest_pact(request: BrokerRequest) -> HalResponse:
        pact = service.latest_pact(request.connection, request.param("provider"), request.param("consumer"))
        return ok(decorate.pact(request.links, pact))

    @router.route(
        "GET",
        f"{base}/latest/{{tag}}",
        summary="The newest pact from a consumer version with a tag",
        tag=TAG,
        responses={200: "OK", **NOT_FOUND},
        response_schema=schemas.PACT,
    )
    def get_latest_tagged_pact(request: BrokerRequest) -> HalResponse:
        pact = service.latest_pact(
            request.connection, request.param("provider"), request.param("consumer"), request.param("tag")
        )
        return ok(decorate.pact(request.links, pact))

    @router.route(
        "GET",
        f"{base}/pact-version/{{sha}}",
        summary="A pact by content SHA",
        tag=TAG,
        responses={200: "OK", **NOT_FOUND},
        response_schema=schemas.PACT,
    )
    def get_pact_version(request: BrokerRequest) -> HalResponse:
        pact = service.pact_by_sha(
            request.connection, request.param("provider"), request.param("consumer"), request.param("sha")
        )
        return ok(decorate.pact(request.links, pact))

    @router.route(
        "GET",
        f"{base}/pact-version/{{sha}}/metadata/{{metadata}}",
        summary="A pact by content SHA, as handed out for verification",
        tag=TAG,
        responses={200: "OK", **NOT_FOUND},
        response_schema=schemas.PACT,
    )
    def get_pact_version_with_metadata(request: BrokerRequest) -> HalResponse:
        pact = service.pact_by_sha(
            request.connection, request.param("provider"), request.param("consumer"), request.param("sha")
        )
        return ok(decorate.pact(request.links, pact, request.param("metadata")))

    def _list(request: BrokerRequest, title: str, publications: list) -> HalResponse:
        href = request.links.url(request.path)
        return ok(decorate.pact_list(request.links, href, title, request.param("provider"), publications))

    @router.route(
        "GET",
        f"{base}/versions",
        summary="All versions of a pact, newest first",
        tag=TAG,
        query=(
            QueryParameter("page", "Page number, from 1", PAGE_SCHEMA),
            QueryParameter("size", "Page size, 1 to 1000", {"type": "integer", "minimum": 1, "maximum": 1000}),
        ),
        responses={200: "OK", 400: "Invalid paging", **NOT_FOUND},
    )
    def list_pact_versions(request: BrokerRequest) -> HalResponse:
        limit, offset = page_parameters(request)
        found = service.pact_versions_of_integration(
            request.connection, request.param("provider"), request.param("consumer"), limit, offset
        )
        return _list(request, "All versions of the pact", found)

    @router.route(
        "GET",
        f"{base}/tag/{{tag}}",
        summary="All versions of a pact from consumer versions with a tag",
        tag=TAG,
        responses={200: "OK", **NOT_FOUND},
    )
    def list_tagged_pact_versions(request: BrokerRequest) -> HalResponse:
        found = [
            p
            for p in service.provider_pacts(
                request.connection, request.param("provider"), tag=request.param("tag"), latest=False
            )
            if p.consumer_name == request.param("consumer")
        ]
        pacticipants.get_pacticipant(request.connection, request.param("consumer"))
        return _list(request, f"Pacts with tag {request.param('tag')}", found)

    def _branch_route(template: str, *, consumer: bool, branch: bool, latest: bool, summary: str) -> None:
        def handler(request: BrokerRequest) -> HalResponse:
            found = service.branch_pacts(
                request.connection,
                request.param("provider"),
                consumer_name=request.param("consumer") if consumer else None,
                branch=request.param("branch") if branch else None,
                latest=latest,
            )
            return _list(request, summary, found)

        handler.__name__ = (
            "list_"
            + "_".join(
                part
                for part in (
                    "latest" if latest else "all",
                    "consumer" if consumer else "provider",
                    "branch" if branch else "main_branch",
                    "pacts",
                )
            )
            + ("_versions" if template.endswith("/versions") else "")
        )
        router.route("GET", template, summary=summary, tag=TAG, responses={200: "OK", **NOT_FOUND})(handler)

    provider_base = "/pacts/provider/{provider}"
    branch_lists = [
        (f"{base}/branch", True, False, False, "A consumer's pacts from its main branch"),
        (f"{base}/branch/versions", True, False, False, "A consumer's pacts from its main branch"),
        (f"{base}/branch/latest/versions", True, False, True, "A consumer's newest pact from its main branch"),
        (f"{base}/branch/{{branch}}", True, True, False, "A consumer's pacts from a branch"),
        (f"{base}/branch/{{branch}}/versions", True, True, False, "A consumer's pacts from a branch"),
        (f"{base}/branch/{{branch}}/latest/versions", True, True, True, "A consumer's newest pact from a branch"),
        (f"{provider_base}/branch", False, False, False, "Pacts from each consumer's main branch"),
        (f"{provider_base}/branch/latest", False, False, True, "Newest pact from each consumer's main branch"),
        (f"{provider_base}/branch/{{branch}}", False, True, False, "Pacts from consumer versions on a branch"),
        (f"{provider_base}/branch/{{branch}}/latest", False, True, True, "Newest pact per consumer from a branch"),
    ]
    for template, consumer, branch, latest, summary in branch_lists:
        _branch_route(template, consumer=consumer, branch=branch, latest=latest, summary=summary)

    @router.route(
        "GET",
        f"{base}/branch/latest",
        summary="The newest pact from the consumer's main branch",
        tag=TAG,
        responses={200: "OK", **NOT_FOUND},
        response_schema=schemas.PACT,
    )
    def get_latest_main_branch_pact(request: BrokerRequest) -> HalResponse:
        pact = service.latest_pact_for_branch(
            request.connection, request.param("provider"), request.param("consumer"), None
        )
        return ok(decorate.pact(request.links, pact))

    @router.route(
        "GET",
        f"{base}/branch/{{branch}}/latest",
        summary="The newest pact from a consumer branch",
        tag=TAG,
        responses={200: "OK", **NOT_FOUND},
        response_schema=schemas.PACT,
    )
    def get_latest_branch_pact(request: BrokerRequest) -> HalResponse:
        pact = service.latest_pact_for_branch(
            request.connection, request.param("provider"), request.param("consumer"), request.param("branch")
        )
        return ok(decorate.pact(request.links, pact))

    @router.route("GET", "/pacts/latest", summary="The newest pact of every integration", tag=TAG)
    def list_latest_pacts(request: BrokerRequest) -> HalResponse:
        return ok(decorate.latest_pacts(request.links, service.latest_pacts(request.connection)))

    @router.route(
        "GET",
        provider_base,
        summary="The newest pact from each of a provider's consumers",
        tag=TAG,
        responses={200: "OK", **NOT_FOUND},
    )
    def list_provider_pacts(request: BrokerRequest) -> HalResponse:
        found = service.provider_pacts(request.connection, request.param("provider"), latest=True)
        return _list(request, f"All pacts for {request.param('provider')}", found)

    @router.route(
        "GET",
        f"{provider_base}/latest",
        summary="The newest pact from each of a provider's consumers",
        tag=TAG,
        responses={200: "OK", **NOT_FOUND},
    )
    def list_latest_provider_pacts(request: BrokerRequest) -> HalResponse:
        found = service.provider_pacts(request.connection, request.param("provider"), latest=True)
        return _list(request, f"Latest pacts for {request.param('provider')}", found)

    @router.route(
        "GET",
        f"{provider_base}/latest/{{tag}}",
        summary="The newest pact per consumer with a tag",
        tag=TAG,
        responses={200: "OK", **NOT_FOUND},
    )
    def list_latest_tagged_provider_pacts(request: BrokerRequest) -> HalResponse:
        found = service.provider_pacts(
            request.connection, request.param("provider"), tag=request.param("tag"), latest=True
        )
        return _list(request, f"Latest pacts for {request.param('provider')} with tag {request.param('tag')}", found)

    @router.route(
        "GET",
        f"{provider_base}/tag/{{tag}}",
        summary="Every pact from consumer versions with a tag",
        tag=TAG,
        responses={200: "OK", **NOT_FOUND},
    )
    def list_tagged_provider_pacts(request: BrokerRequest) -> HalResponse:
        found = service.provider_pacts(
            request.connection, request.param("provider"), tag=request.param("tag"), latest=False
        )
        return _list(request, f"Pacts for {request.param('provider')} with tag {request.param('tag')}", found)

    @router.route(
        "GET",
        f"{provider_base}/provider-states",
        summary="The provider states used by a provider's latest pacts",
        tag=TAG,
        responses={200: "OK", **NOT_FOUND},
    )
    def list_provider_states(request: BrokerRequest) -> HalResponse:
        states = service.provider_states(request.connection, request.param("provider"))
        return ok({"providerStates": states, "_links": {"self": {"href": request.links.url(request.path)}}})
