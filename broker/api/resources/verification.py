"""Resources the verifier uses: pacts for verification and publishing verification results."""

from __future__ import annotations

from typing import Any

from broker.api import schemas
from broker.api.decorators import pacts_for_verification as decorate_for_verification
from broker.api.decorators import verifications as decorate
from broker.api.requests import BrokerRequest
from broker.api.resources.common import NOT_FOUND, WRITE_ERRORS
from broker.api.responses import HalResponse, created, ok
from broker.api.router import Access, QueryParameter, Router
from broker.errors import InvalidInputError
from broker.nested_query import whole_number
from broker.pacts import for_verification
from broker.pacts.selectors import KNOWN_KEYS, parse_query
from broker.verifications import service

TAG = "Verification"

_SNAKE = {
    "provider_version_branch": "providerVersionBranch",
    "include_pending_status": "includePendingStatus",
    "include_wip_pacts_since": "includeWipPactsSince",
}


EMPTY = {"type": "string", "maxLength": 0}


def _query_from_parameters(request: BrokerRequest) -> dict[str, Any]:
    """The deprecated GET form: camelCase or snake_case query parameters."""
    query = request.query
    body: dict[str, Any] = {}
    for key, value in query.scalars.items():
        name = _SNAKE.get(key, key)
        if name == "includePendingStatus":
            if value not in ("true", "false"):
                raise InvalidInputError("includePendingStatus must be true or false", {name: ["must be true or false"]})
            body[name] = value == "true"
        elif name in ("providerVersionBranch", "includeWipPactsSince") and value.strip():
            # An empty query parameter (`?providerVersionBranch=`) means "not given", as in a form.
            body[name] = value
    tags = query.arrays.get("providerVersionTags") or query.arrays.get("provider_version_tags")
    if tags:
        body["providerVersionTags"] = tags
    selectors = query.objects.get("consumerVersionSelectors") or query.objects.get("consumer_version_selectors") or []
    parsed = []
    for item in selectors:
        selector: dict[str, Any] = {}
        for key, value in item.items():
            camel = "".join(part if i == 0 else part.title() for i, part in enumerate(key.split("_")))
            if camel not in KNOWN_KEYS:
                continue
            selector[camel] = value.lower() == "true" if value.lower() in ("true", "false") else value
        parsed.append(selector)
    if parsed:
        body["consumerVersionSelectors"] = parsed
    return body


def register(router: Router) -> None:
    @router.route(
        "GET",
        "/pacts/provider/{provider}/for-verification",
        summary="Pacts to verify (GET form; the verifier POSTs to this resource's self link)",
        tag=TAG,
        query=(
            QueryParameter(
                "providerVersionBranch",
                "The branch of the provider version being verified (empty: not given)",
                {"anyOf": [schemas.NAME, EMPTY]},
            ),
            QueryParameter(
                "includePendingStatus", "Include pending status", {"type": "string", "enum": ["true", "false"]}
            ),
            QueryParameter(
                "includeWipPactsSince",
                "Include WIP pacts since this date (empty: not given)",
                {"anyOf": [{"type": "string", "format": "date"}, EMPTY]},
            ),
        ),
        responses={200: "OK", 400: "Invalid query", **NOT_FOUND},
        response_schema=schemas.FOR_VERIFICATION_RESULT,
    )
    def get_pacts_for_verification(request: BrokerRequest) -> HalResponse:
        query = parse_query(_query_from_parameters(request))
        result = for_verification.find_pacts_for_verification(request.connection, request.param("provider"), query)
        return ok(decorate_for_verification.pacts_for_verification(request.links, result))

    @router.route(
        "POST",
        "/pacts/provider/{provider}/for-verification",
        summary="Pacts to verify for the given consumer version selectors, with pending and WIP",
        tag=TAG,
        access=Access.READ_POST,
        transaction="read",
        request_schema=schemas.FOR_VERIFICATION_BODY,
        request_required=False,
        responses={200: "OK", **NOT_FOUND, 400: "Invalid query", 413: "Body too large", 415: "Body is not JSON"},
        response_schema=schemas.FOR_VERIFICATION_RESULT,
    )
    def post_pacts_for_verification(request: BrokerRequest) -> HalResponse:
        query = parse_query(request.json_object(required=False))
        result = for_verification.find_pacts_for_verification(request.connection, request.param("provider"), query)
        return ok(decorate_for_verification.pacts_for_verification(request.links, result))

    base = "/pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}"

    def _publish(request: BrokerRequest, metadata: str | None) -> HalResponse:
        verification = service.publish_verification(
            request.connection,
            request.param("provider"),
            request.param("consumer"),
            request.param("sha"),
            metadata,
            request.json_object(),
        )
        body = decorate.verification(request.links, verification)
        return created(body, body["_links"]["self"]["href"])

    @router.route(
        "POST",
        f"{base}/verification-results",
        summary="Publish a verification result for a pact's content",
        tag=TAG,
        request_schema=schemas.VERIFICATION_BODY,
        responses={201: "Published", **NOT_FOUND, **WRITE_ERRORS},
        response_schema=schemas.VERIFICATION,
    )
    def publish_verification(request: BrokerRequest) -> HalResponse:
        return _publish(request, None)

    @router.route(
        "POST",
        f"{base}/metadata/{{metadata}}/verification-results",
        summary="Publish a verification result for a pact handed out by pacts-for-verification",
        tag=TAG,
        request_schema=schemas.VERIFICATION_BODY,
        responses={201: "Published", **NOT_FOUND, **WRITE_ERRORS},
        response_schema=schemas.VERIFICATION,
    )
    def publish_verification_with_metadata(request: BrokerRequest) -> HalResponse:
        return _publish(request, request.param("metadata"))

    @router.route(
        "GET",
        f"{base}/verification-results/latest",
        summary="The newest verification result for a pact's content",
        tag=TAG,
        responses={200: "OK", **NOT_FOUND},
        response_schema=schemas.VERIFICATION,
    )
    def get_latest_verification(request: BrokerRequest) -> HalResponse:
        pact_version = service.get_pact_version(
            request.connection, request.param("provider"), request.param("consumer"), request.param("sha")
        )
        return ok(decorate.verification(request.links, service.latest_verification(request.connection, pact_version)))

    @router.route(
        "GET",
        f"{base}/verification-results/{{number}}",
        summary="A verification result",
        tag=TAG,
        responses={200: "OK", **NOT_FOUND},
        response_schema=schemas.VERIFICATION,
    )
    def get_verification(request: BrokerRequest) -> HalResponse:
        number = whole_number(request.param("number"))
        if number is None:
            raise InvalidInputError(
                "The verification number must be a whole number", {"number": ["must be a whole number"]}
            )
        item = service.get_verification(
            request.connection, request.param("provider"), request.param("consumer"), request.param("sha"), number
        )
        return ok(decorate.verification(request.links, item))
