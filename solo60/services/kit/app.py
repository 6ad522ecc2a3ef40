"""Builds a service's ASGI app from its definition: conventions, routes, docs, health, states."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route as StarletteRoute

from solo60 import tracing
from solo60.contracts.errors import ErrorCode
from solo60.contracts.events import events_of
from solo60.contracts.events.asyncapi import asyncapi_document
from solo60.contracts.openapi import openapi_document
from solo60.services.kit.auth import ServiceAuth
from solo60.services.kit.binding import Operation, bind
from solo60.services.kit.conventions import ConventionsMiddleware
from solo60.services.kit.docs import docs_routes
from solo60.services.kit.errors import ServiceError, ValidationFailed, error_response
from solo60.services.kit.event_docs import event_docs_routes
from solo60.services.kit.events.provider_messages import MESSAGES_PATH, MessageRequest
from solo60.services.kit.provider_states import StateChange
from solo60.services.kit.rate_limit import RateLimit
from solo60.services.kit.service import ServiceDefinition
from solo60.services.kit.service_keys import ServiceKeys
from solo60.services.kit.settings import ServiceSettings
from solo60.services.kit.unicode_text import refuse_unpaired_surrogates

logger = logging.getLogger("solo60.services")

PROVIDER_STATES_PATH = "/_pact/provider-states"


def build_app(definition: ServiceDefinition, settings: ServiceSettings | None = None) -> FastAPI:
    """The service's app; migrations run and resources open when its lifespan starts."""
    settings = settings or ServiceSettings.from_env(definition.name)
    db = definition.database(settings)
    runtime = definition.runtime(settings, db)
    routes = definition.routes(runtime)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await db.migrate()
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()
            await db.dispose()

    app = FastAPI(
        title=definition.contract.title,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.definition = definition
    app.state.settings = settings
    app.state.runtime = runtime

    operations = [
        Operation(route, handler, max_body_bytes=settings.max_body_bytes)
        for route, handler in routes.handlers().items()
    ]
    app.router.routes.extend(bind(operations))
    contract = definition.contract
    app.router.routes.extend(docs_routes(contract.title, lambda: openapi_document(contract)))
    if events_of(definition.name):
        app.router.routes.extend(event_docs_routes(asyncapi_document(definition.name)))
    app.router.routes.append(StarletteRoute("/health", _health, methods=["GET"], include_in_schema=False))
    app.router.routes.append(StarletteRoute("/ready", _ready, methods=["GET"], include_in_schema=False))
    if settings.provider_states:
        app.router.routes.append(StarletteRoute(PROVIDER_STATES_PATH, _provider_states, methods=["GET", "POST"]))
        if definition.messages is not None:
            app.router.routes.append(StarletteRoute(MESSAGES_PATH, _provider_messages, methods=["POST"]))

    app.add_exception_handler(HTTPException, _http_exception)
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(Exception, _unexpected)

    # One layer for correlation, access log, auth and rate limit (`conventions`): everything
    # below it, errors included, carries the correlation id.
    keys = ServiceKeys(
        settings.api_keys,
        settings.api_keys_file,
        production=settings.environment == "production",
        settle_seconds=settings.api_keys_settle_seconds,
    )
    app.add_middleware(
        ConventionsMiddleware,
        service=definition.name,
        auth=ServiceAuth(keys),
        rate_limit=RateLimit(settings.rate_limit, settings.rate_limit_storage, namespace=definition.name),
    )
    tracing.instrument_app(app, definition.name, settings.extra)  # server spans; nothing when no exporter is set
    return app


async def _health(_request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def _ready(request: Request) -> Response:
    runtime = request.app.state.runtime
    if await runtime.db.ping():
        return JSONResponse({"status": "ready", "service": request.app.state.definition.name})
    return error_response(ErrorCode.UPSTREAM_UNAVAILABLE, "The service's database does not answer.")


async def _provider_states(request: Request) -> Response:
    definition: ServiceDefinition = request.app.state.definition
    if request.method == "GET":
        return JSONResponse({"service": definition.name, "states": definition.states.describe()})
    try:
        if request.headers.get("content-type", "").startswith("application/json"):
            raw = await request.body()
            refuse_unpaired_surrogates(raw)
            change = StateChange.model_validate_json(raw)
        else:  # the verifier's `body=False` form puts everything in the query string
            query = dict(request.query_params)
            change = StateChange(state=query.pop("state", ""), action=query.pop("action", "setup"), params=query)
    except ValidationFailed as error:
        return error.to_response()
    except ValueError as error:
        return ValidationFailed(f"Invalid provider state change: {error}").to_response()
    try:
        values = await definition.states.change(request.app.state.runtime, definition.metadata, change)
    except ServiceError as error:
        return error.to_response()
    return JSONResponse(values)


async def _provider_messages(request: Request) -> Response:
    """The verifier's message transport: the event a message pact describes, built by the real code."""
    definition: ServiceDefinition = request.app.state.definition
    assert definition.messages is not None
    try:
        raw = await request.body()
        refuse_unpaired_surrogates(raw)
        message = MessageRequest.model_validate_json(raw)
        built = await definition.messages.build(request.app.state.runtime, message)
    except ServiceError as error:
        return error.to_response()
    except ValueError as error:
        return ValidationFailed(f"Invalid message request: {error}").to_response()
    return Response(built.body, headers=built.headers())


async def _http_exception(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = {404: ErrorCode.NOT_FOUND, 405: ErrorCode.METHOD_NOT_ALLOWED}.get(
        exc.status_code, ErrorCode.VALIDATION_ERROR
    )
    message = "No such route." if exc.status_code == 404 else str(exc.detail)
    return error_response(code, message, headers=exc.headers)


async def _service_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ServiceError)
    return exc.to_response()


async def _unexpected(_request: Request, exc: Exception) -> Response:
    logger.error("unhandled error", exc_info=exc)
    return error_response(ErrorCode.INTERNAL, "The provider failed; quote the correlation id to find out why.")
