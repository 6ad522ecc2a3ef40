"""The index, health, metrics, the OpenAPI document and relation docs."""

from __future__ import annotations

import json

import sqlalchemy as sa

from broker.api import schemas
from broker.api.decorators import index as decorate
from broker.api.requests import BrokerRequest
from broker.api.responses import JSON, HalResponse, ok
from broker.api.router import Access, Router
from broker.errors import NotFoundError
from broker.integrations import repository as integrations_repository
from broker.pacticipants import repository as pacticipants_repository
from broker.pacts import repository as pacts_repository
from broker.verifications import repository as verifications_repository
from broker.versions import repository as versions_repository

TAG = "Broker"


def register(router: Router) -> None:
    @router.route("GET", "/", summary="The HAL index of every relation", tag=TAG, transaction="none")
    def get_index(request: BrokerRequest) -> HalResponse:
        return ok(decorate.index(request.links))

    @router.route(
        "GET",
        "/health",
        summary="Liveness and database connectivity",
        tag=TAG,
        access=Access.PUBLIC,
        responses={200: "Healthy", 503: "The database is unreachable"},
        response_schema=schemas.HEALTH,
        transaction="none",
        media_type="application/json",
    )
    def get_health(request: BrokerRequest) -> HalResponse:
        try:
            # reading(): on PostgreSQL in autocommit, so nothing is rolled back when the connection
            # goes back to the pool; a rollback makes psycopg drop every statement it prepared on
            # that connection (DEALLOCATE ALL), so each health check cost the next heavy requests
            # their prepared statements
            with request.services.database.reading() as connection:
                connection.execute(sa.text("SELECT 1"))
        except sa.exc.SQLAlchemyError:
            return HalResponse(503, {"errors": ["The database is unreachable"]}, {}, JSON)
        return HalResponse(200, {"status": "ok", "database": "ok"}, {}, JSON)

    @router.route(
        "GET",
        "/ready",
        summary="Readiness: the database answers and its schema is this broker's (for load balancers)",
        tag=TAG,
        access=Access.PUBLIC,
        responses={200: "Ready to serve", 503: "The database is unreachable or not migrated yet"},
        response_schema=schemas.HEALTH,
        transaction="none",
        media_type="application/json",
    )
    def get_ready(request: BrokerRequest) -> HalResponse:
        if not request.services.database.is_migrated():
            return HalResponse(
                503,
                {"errors": ["The database is unreachable or not migrated to this broker's schema yet"]},
                {"Retry-After": "1"},
                JSON,
            )
        return HalResponse(200, {"status": "ok", "database": "migrated"}, {}, JSON)

    @router.route(
        "GET",
        "/diagnostic/status/heartbeat",
        summary="Heartbeat (no database access), as the official broker serves it",
        tag=TAG,
        access=Access.PUBLIC,
        response_schema={"type": "object", "required": ["ok"], "properties": {"ok": {"type": "boolean"}}},
        transaction="none",
        media_type="application/json",
    )
    def get_heartbeat(request: BrokerRequest) -> HalResponse:
        return HalResponse(200, {"ok": True}, {}, JSON)

    @router.route(
        "GET",
        "/metrics",
        summary="Prometheus metrics",
        tag=TAG,
        media_type="text/plain",
        response_schema={"type": "string"},
    )
    def get_metrics(request: BrokerRequest) -> HalResponse:
        connection = request.connection
        totals = {
            "pacticipants": pacticipants_repository.count(connection),
            "versions": versions_repository.count(connection),
            "pact_publications": pacts_repository.count_publications(connection),
            "pact_contents": pacts_repository.count_contents(connection),
            "verification_results": verifications_repository.count(connection),
            "integrations": integrations_repository.count(connection),
        }
        text = request.services.metrics.render(totals)
        return HalResponse(200, None, {}, "text/plain; version=0.0.4; charset=utf-8", raw=text.encode())

    @router.route(
        "GET",
        "/openapi.json",
        summary="This OpenAPI document",
        tag=TAG,
        access=Access.PUBLIC,
        transaction="none",
        response_schema={"type": "object", "required": ["openapi", "paths"]},
        media_type="application/json",
    )
    def get_openapi(request: BrokerRequest) -> HalResponse:
        document = request.services.openapi_document()
        return HalResponse(200, None, {}, JSON, raw=json.dumps(document).encode())

    @router.route(
        "GET",
        "/doc/{rel}",
        summary="What a relation in the index means",
        tag=TAG,
        transaction="none",
        responses={200: "OK", 404: "Unknown relation"},
    )
    def get_relation_doc(request: BrokerRequest) -> HalResponse:
        rel = request.param("rel")
        for name, path, title, templated in decorate.RELATIONS:
            if name.split(":", 1)[-1] == rel or name == rel:
                return ok({"rel": name, "title": title, "href": path, "templated": templated})
        raise NotFoundError(f"No documentation for relation '{rel}'")
