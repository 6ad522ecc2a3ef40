"""Binds contract routes to their implementations: parse, validate, call, check the reply.

Request validation comes from the route's own models and answers the conventions' 400 body
(never FastAPI's 422 shape); the reply is checked against the response model the route
declares for its status. One endpoint serves each path and dispatches on the method, so a
405 names every method of the path in `Allow`.
"""

from __future__ import annotations

import inspect
import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route as StarletteRoute
from starlette.types import Receive, Scope, Send

from solo60 import correlation
from solo60.clients import InvalidRequest, ServiceCallError
from solo60.contracts.errors import ErrorCode, FieldError
from solo60.contracts.route import Route
from solo60.services.kit.auth import caller_of
from solo60.services.kit.errors import (
    Forbidden,
    MethodNotAllowed,
    PayloadTooLarge,
    ServiceError,
    UnsupportedMediaType,
    ValidationFailed,
    error_response,
)
from solo60.services.kit.service_keys import Caller
from solo60.services.kit.unicode_text import refuse_unpaired_surrogates
from solo60.services.kit.upstreams import upstream_failure

logger = logging.getLogger("solo60.services")

_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
_KNOWN_PARAMETERS = {"query", "body", "idempotency_key", "call"}

Handler = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class Reply:
    """A reply with a status other than the route's first success status, or extra headers."""

    status: int
    body: BaseModel | Mapping[str, Any] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CallInfo:
    """Who is calling and under which correlation id, for handlers that log or forward them."""

    caller: str | None
    correlation_id: str


class ContractViolation(RuntimeError):
    """The implementation answered something its own contract does not allow: a provider bug."""


class Operation:
    """One route bound to its handler."""

    def __init__(self, route: Route, handler: Handler, *, max_body_bytes: int) -> None:
        self.route = route
        self.handler = handler
        self.max_body_bytes = max_body_bytes
        self.wanted = _handler_parameters(route, handler)

    async def respond(self, request: Request) -> Response:
        try:
            self._admit(caller_of(request.scope))
            arguments = await self._arguments(request)
            result = await self.handler(**arguments)
            return self._render(result)
        except ServiceError as error:
            return error.to_response()
        except ServiceCallError as error:
            logger.log(
                logging.ERROR if isinstance(error, InvalidRequest) else logging.WARNING,
                "a call to another service failed in %r: %s",
                self.route,
                error,
            )
            return upstream_failure(error).to_response()
        except (OperationalError, PoolTimeout):
            # The database is unreachable, out of connections, locked past its timeout or broke a
            # deadlock: nothing the caller sent is wrong, and a retry shortly may well succeed.
            logger.warning("database unavailable in %r", self.route, exc_info=True)
            return error_response(
                ErrorCode.UPSTREAM_UNAVAILABLE,
                "The service's database is unavailable right now; nothing was changed. Retry shortly.",
                headers={"Retry-After": "1"},
            )
        except ContractViolation:
            logger.exception("reply violates the contract of %r", self.route)
            return error_response(ErrorCode.INTERNAL, "The provider failed to answer within its contract.")
        except Exception:
            logger.exception("unhandled error in %r", self.route)
            return error_response(ErrorCode.INTERNAL, "The provider failed; quote the correlation id to find out why.")

    def _admit(self, caller: Caller | None) -> None:
        """A route open to named callers only refuses every other (before reading anything)."""
        allowed = self.route.callers
        if not allowed or (caller is not None and caller.name in allowed):
            return
        who = repr(caller.name[:64]) if caller is not None and caller.name else "a caller that does not say who it is"
        how = "" if caller is None or caller.verified else " (with a shared key, x-service-name says who calls)"
        raise Forbidden(
            f"Only {', '.join(repr(name) for name in allowed)} may call {self.route.name}; this call comes from "
            f"{who}{how}."
        )

    async def _arguments(self, request: Request) -> dict[str, Any]:
        route = self.route
        arguments: dict[str, Any] = {}
        if route.path_params is not None:
            path = _validate(route.path_params, dict(request.path_params), "path")
            arguments.update({name: getattr(path, name) for name in type(path).model_fields})
        if route.query is not None:
            arguments["query"] = _validate(route.query, dict(request.query_params), "query")
        if route.idempotency_key:
            arguments["idempotency_key"] = _idempotency_key(request)
        if route.body is not None:
            arguments["body"] = await self._body(request)
        if "call" in self.wanted:
            arguments["call"] = CallInfo(
                caller=correlation.calling_service.get(), correlation_id=correlation.current_correlation_id()
            )
        return {name: value for name, value in arguments.items() if name in self.wanted}

    async def _body(self, request: Request) -> BaseModel:
        content_type = request.headers.get("content-type", "")
        media_type = content_type.split(";", 1)[0].strip().lower()
        if media_type != "application/json" and not media_type.endswith("+json"):
            shown = media_type or "no Content-Type"
            raise UnsupportedMediaType(f"Send the body as application/json, not {shown}.")
        raw = await _read_limited(request, self.max_body_bytes)
        if not raw.strip():
            raise ValidationFailed("Invalid request: the body is empty; send a JSON object.")
        assert self.route.body is not None
        try:
            return self.route.body.model_validate_json(raw)
        except ValidationError as error:
            refuse_unpaired_surrogates(raw)  # pydantic calls it malformed JSON without saying where
            integral = _integral_numbers_as_integers(raw) if _wants_integer(error) else None
            if integral is None:
                raise ValidationFailed.from_pydantic(error, "body") from None
        try:
            return self.route.body.model_validate_json(integral)
        except ValidationError as error:
            raise ValidationFailed.from_pydantic(error, "body") from None

    def _render(self, result: Any) -> Response:
        status, body, headers = (
            (result.status, result.body, result.headers)
            if isinstance(result, Reply)
            else (self.route.success_status, result, {})
        )
        if status not in self.route.responses:
            raise ContractViolation(f"{self.route!r} answered {status}, which its contract does not declare")
        model = self.route.responses[status]
        if model is None:
            return Response(status_code=status, headers=dict(headers))
        if not isinstance(body, model):
            try:
                body = model.model_validate(body, from_attributes=True)
            except ValidationError as error:
                raise ContractViolation(
                    f"{self.route!r} answered a body that is not a {model.__name__}: {error}"
                ) from error
        return Response(
            body.model_dump_json(), status_code=status, media_type="application/json", headers=dict(headers)
        )


class PathEndpoint:
    """The ASGI endpoint of one path: dispatches on method, 405 with `Allow` otherwise."""

    def __init__(self, template: str, operations: dict[str, Operation]) -> None:
        self.template = template
        self.operations = operations
        self.allow = ", ".join(sorted(operations))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["solo60.route"] = self.template
        operation = self.operations.get(scope["method"])
        if operation is None:
            response = MethodNotAllowed(
                f"{scope['method']} is not allowed on {self.template}; allowed: {self.allow}.",
                headers={"Allow": self.allow},
            ).to_response()
        else:
            response = await operation.respond(Request(scope, receive))
        await response(scope, receive, send)


def bind(operations: list[Operation]) -> list[StarletteRoute]:
    """Starlette routes for the operations, literal segments matched before placeholders."""
    by_path: dict[str, dict[str, Operation]] = {}
    for operation in operations:
        by_path.setdefault(operation.route.path, {})[operation.route.method] = operation
    ordered = sorted(by_path, key=_specificity)
    return [
        StarletteRoute(path, PathEndpoint(path, by_path[path]), methods=None, include_in_schema=False)
        for path in ordered
    ]


def _specificity(path: str) -> tuple[int, ...]:
    return tuple(1 if segment.startswith("{") else 0 for segment in path.strip("/").split("/"))


def _validate(model: type[BaseModel], data: dict[str, Any], location: str) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ValidationFailed.from_pydantic(error, location) from None


def _wants_integer(error: ValidationError) -> bool:
    """Whether a strict integer field was given a number with a fraction part (which may be `.0`)."""
    return any(item["type"] == "int_type" and isinstance(item.get("input"), float) for item in error.errors())


def _integral_numbers_as_integers(raw: bytes) -> bytes | None:
    """The body with `26.0` written as `26`, or None when there is no such number.

    JSON Schema calls any number without a fraction an integer, so the document promises that
    `{"amount": 26.0}` is accepted; pydantic's strict mode only takes `26`. A strict float field
    accepts `26` too, so rewriting every integral number is safe.
    """
    changed = False

    def integral(value: Any) -> Any:
        nonlocal changed
        if isinstance(value, float) and value.is_integer():
            changed = True
            return int(value)
        if isinstance(value, dict):
            return {key: integral(item) for key, item in value.items()}
        if isinstance(value, list):
            return [integral(item) for item in value]
        return value

    try:
        rewritten = integral(json.loads(raw))
    except (ValueError, RecursionError):
        return None
    return json.dumps(rewritten).encode() if changed else None


def _idempotency_key(request: Request) -> str:
    key = request.headers.get("idempotency-key")
    if key is None:
        raise ValidationFailed(
            "Invalid request: this call moves money or sends mail, so it needs an Idempotency-Key header.",
            details=[_header_error("Idempotency-Key header is required", "missing")],
        )
    if not _IDEMPOTENCY_KEY.match(key):
        raise ValidationFailed(
            "Invalid request: Idempotency-Key must be 1 to 255 printable ASCII characters without spaces.",
            details=[_header_error("must be 1 to 255 printable ASCII characters", "string_pattern_mismatch")],
        )
    return key


def _header_error(message: str, kind: str) -> FieldError:
    return FieldError(field="header.Idempotency-Key", message=message, type=kind)


async def _read_limited(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not (declared.isascii() and declared.isdigit()):
            raise ValidationFailed("Invalid request: Content-Length is not a number.")
        if int(declared) > limit:
            raise PayloadTooLarge(f"The body is {declared} bytes; the limit is {limit} bytes.")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"The body exceeds the limit of {limit} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)


def _handler_parameters(route: Route, handler: Handler) -> frozenset[str]:
    """The arguments the handler declares, checked against what the route can supply."""
    available = set(_KNOWN_PARAMETERS)
    if route.path_params is not None:
        available |= set(route.path_params.model_fields)
    declared = set(inspect.signature(handler).parameters)
    unknown = declared - available
    if unknown:
        raise TypeError(
            f"handler {handler.__qualname__} for {route!r} takes {sorted(unknown)}, which the route does not "
            f"supply; available: {sorted(available)}"
        )
    return frozenset(declared)
