"""Resources for provider contracts (bi-directional contract testing), as PactFlow's clients
call them: the publish (`pf:publish-provider-contract`), the older PUT, and the bi-directional
read resources for a provider version and for one consumer version's pact against it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jsonschema_rs

from broker.api import schemas
from broker.api.decorators import provider_contracts as decorate
from broker.api.requests import BrokerRequest
from broker.api.resources.common import NOT_FOUND, WRITE_ERRORS
from broker.api.responses import HalResponse, created_or_ok, ok
from broker.api.router import Router
from broker.errors import InvalidInputError
from broker.limits import MAX_TAGS, at_most
from broker.pacts import repository as pacts_repository
from broker.provider_contracts import publish, service

TAG = "Provider contracts"

BASE64 = {
    "type": "string",
    "contentEncoding": "base64",
    "pattern": r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$",
}
SHORT_TEXT: dict[str, Any] = {"type": "string", "maxLength": 255, "pattern": r"^(?![\s\S]*[\x00-\x1f\x7f])"}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


SELF_VERIFICATION: dict[str, Any] = _nullable(
    {
        "type": "object",
        "properties": {
            "success": _nullable({"type": "boolean"}),
            "content": _nullable(BASE64),
            "contentType": _nullable(SHORT_TEXT),
            "format": _nullable(SHORT_TEXT),
            "verifier": _nullable(SHORT_TEXT),
            "verifierVersion": _nullable(SHORT_TEXT),
        },
    }
)
SPECIFICATION = {"type": "string", "enum": ["oas", "OAS"]}
PUBLISH_BODY: dict[str, Any] = {
    "type": "object",
    "required": ["pacticipantVersionNumber", "contract"],
    "properties": {
        "pacticipantVersionNumber": schemas.NAME,
        "branch": schemas.NULLABLE_NAME,
        "tags": _nullable({"type": "array", "items": schemas.NAME}),
        "buildUrl": _nullable(schemas.URL_STRING),
        "contract": {
            "type": "object",
            "required": ["content"],
            "properties": {
                "content": {**BASE64, "description": "base64 of the OpenAPI document (JSON or YAML)"},
                "contentType": _nullable(SHORT_TEXT),
                "specification": SPECIFICATION,
                "selfVerificationResults": SELF_VERIFICATION,
            },
        },
    },
}
PUT_BODY: dict[str, Any] = {
    "type": "object",
    "required": ["content"],
    "properties": {
        "content": {**BASE64, "description": "base64 of the OpenAPI document (JSON or YAML)"},
        "contractType": SPECIFICATION,
        "contentType": _nullable(SHORT_TEXT),
        "verificationResults": SELF_VERIFICATION,
    },
}
_VALIDATORS = {id(schema): jsonschema_rs.validator_for(schema) for schema in (PUBLISH_BODY, PUT_BODY)}


def _body(request: BrokerRequest, schema: dict[str, Any]) -> dict[str, Any]:
    """The JSON body, checked against the schema the OpenAPI document publishes for it."""
    body = request.json_object()
    errors: dict[str, list[str]] = {}
    for error in _VALIDATORS[id(schema)].iter_errors(body):
        parts = [str(part) for part in error.instance_path]
        message = error.message
        if isinstance(error.kind, jsonschema_rs.ValidationErrorKind.Required):
            parts.append(error.kind.property)
            message = "is required"
        errors.setdefault(".".join(parts) or "body", []).append(message)
    if errors:
        first = next(iter(errors))
        raise InvalidInputError(f"{first}: {errors[first][0]}", errors)
    return body


def _publication(request: BrokerRequest) -> tuple[dict[str, Any], publish.Upload]:
    """The publish body checked and its document decoded and parsed: before the transaction."""
    body = _body(request, PUBLISH_BODY)
    at_most(body.get("tags") or [], MAX_TAGS, "tags", "tags")
    upload = publish.decode_upload(
        body["contract"],
        field="contract",
        specification_key="specification",
        verification_key="selfVerificationResults",
    )
    return body, upload


def _older_upload(request: BrokerRequest) -> publish.Upload:
    body = _body(request, PUT_BODY)
    return publish.decode_upload(
        body, field="", specification_key="contractType", verification_key="verificationResults"
    )


def register(router: Router) -> None:
    @router.route(
        "POST",
        "/provider-contracts/provider/{provider}/publish",
        summary="Publish a provider version's OpenAPI document with its self-verification results",
        tag=TAG,
        request_schema=PUBLISH_BODY,
        responses={200: "Published", **WRITE_ERRORS},
        prepare=_publication,
    )
    def publish_provider_contract(request: BrokerRequest) -> HalResponse:
        body, upload = request.prepared
        published = publish.publish_contract(
            request.connection,
            provider_name=request.param("provider"),
            version_number=body["pacticipantVersionNumber"],
            upload=upload,
            branch=body.get("branch"),
            tags=body.get("tags") or [],
            build_url=body.get("buildUrl"),
        )
        return ok(decorate.publish_result(request.links, published))

    @router.route(
        "PUT",
        "/contracts/provider/{provider}/version/{version}",
        summary="Publish a provider contract (the older API)",
        tag=TAG,
        request_schema=PUT_BODY,
        responses={200: "Replaced", 201: "Published", **WRITE_ERRORS},
        prepare=_older_upload,
    )
    def put_provider_contract(request: BrokerRequest) -> HalResponse:
        upload = request.prepared
        published = publish.publish_contract(
            request.connection,
            provider_name=request.param("provider"),
            version_number=request.param("version"),
            upload=upload,
        )
        href = request.links.url(request.path)
        return created_or_ok(
            decorate.provider_contract(request.links, published.contract, href), published.created, href
        )

    @router.route(
        "GET",
        "/coverage",
        summary="The coverage map: per provider operation and status, the consumers using it, verified how, "
        "the fields they read, and what no consumer uses",
        tag=TAG,
        responses={200: "OK"},
    )
    def get_coverage(request: BrokerRequest) -> HalResponse:
        from broker.provider_contracts import coverage_memo
        from broker.provider_contracts.coverage_source import coverage_answer, provider_maps

        maps = provider_maps(request.connection)
        href = request.links.url("/coverage")

        def encode() -> bytes:
            found = coverage_answer(maps)
            found["_links"] = {"self": {"href": href, "title": "Contract coverage"}}
            return ok(found).render()

        # the maps' keys name everything they were built from, so the same keys give the same bytes
        key = (tuple(key for key, _ in maps), href)
        return HalResponse(200, None, raw=coverage_memo.remembered(coverage_memo.encoded, key, encode))

    base = "/contracts/bi-directional/provider/{provider}/version/{version}"
    pair = f"{base}/consumer/{{consumer}}/version/{{consumerVersion}}"

    def provider_side(request: BrokerRequest) -> Any:
        return service.contract_of(request.connection, request.param("provider"), request.param("version"))

    def pair_side(request: BrokerRequest) -> service.CrossContract:
        return service.cross_contract(
            request.connection,
            request.param("provider"),
            request.param("version"),
            request.param("consumer"),
            request.param("consumerVersion"),
        )

    readers: list[tuple[str, str, str, Callable[[BrokerRequest], Any]]] = [
        (
            f"{base}/provider-contract",
            "The provider version's contract (OpenAPI document)",
            "provider_contract",
            lambda request: decorate.provider_contract(request.links, provider_side(request)),
        ),
        (
            f"{base}/provider-contract-verification-results",
            "The provider version's self-verification results",
            "provider_contract_verification_results",
            lambda request: decorate.self_verification(request.links, provider_side(request)),
        ),
        (
            f"{base}/cross-contract-verification-results",
            "The contract compared with the pacts that matter (latest per branch, deployed, released)",
            "cross_contract_verification_results",
            lambda request: decorate.cross_contract_list(
                request.links,
                provider_side(request),
                service.cross_contracts_of(request.connection, request.param("provider"), request.param("version")),
            ),
        ),
        (
            f"{pair}/provider-contract",
            "The provider version's contract, seen from a consumer version",
            "pair_provider_contract",
            lambda request: decorate.provider_contract(request.links, pair_side(request).contract),
        ),
        (
            f"{pair}/provider-contract-verification-results",
            "The provider version's self-verification results, seen from a consumer version",
            "pair_provider_contract_verification_results",
            lambda request: decorate.self_verification(request.links, pair_side(request).contract),
        ),
        (
            f"{pair}/consumer-contract",
            "The consumer version's pact with the provider",
            "pair_consumer_contract",
            lambda request: _consumer_contract(request),
        ),
        (
            f"{pair}/consumer-contract-verification-results",
            "The consumer version's self-verification (its pact)",
            "pair_consumer_contract_verification_results",
            lambda request: decorate.consumer_verification(request.links, pair_side(request)),
        ),
        (
            f"{pair}/cross-contract-verification-results",
            "The pact compared with the provider contract (compared now if it never was)",
            "pair_cross_contract_verification_results",
            lambda request: decorate.cross_contract(request.links, pair_side(request)),
        ),
    ]

    def _consumer_contract(request: BrokerRequest) -> dict[str, Any]:
        item = pair_side(request)
        document = pacts_repository.document_of(request.connection, item.publication.pact_version_id)
        return decorate.consumer_contract(request.links, item, document)

    for template, summary, name, render in readers:
        _read_route(router, template, summary, name, render)


def _read_route(router: Router, template: str, summary: str, name: str, render: Callable[[BrokerRequest], Any]) -> None:
    def handler(request: BrokerRequest) -> HalResponse:
        return ok(render(request))

    handler.__name__ = handler.__qualname__ = name  # the OpenAPI operationId
    # a comparison never made before is made (and stored) on first read, hence a write transaction
    router.route("GET", template, summary=summary, tag=TAG, responses={200: "OK", **NOT_FOUND}, transaction="write")(
        handler
    )
