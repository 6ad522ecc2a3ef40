"""The one client every generated service client extends: all behaviour of a call lives here.

A generated method only maps its arguments onto a contract route and calls `_call`. `_call`
validates them with the route's own models (a bad argument fails before any I/O), sends the
conventions' headers, bounds the call by a deadline, retries what is safe to retry, keeps the
target's circuit breaker informed, and turns the answer into the route's response model or a
typed exception from `solo60.clients._exceptions`. Answers are read tolerantly
(`solo60.clients._reading`): a field the provider leaves out only fails the code that reads it.
"""

from __future__ import annotations

import asyncio
import functools
import re
import ssl
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, ClassVar, Self

import httpx
from pydantic import BaseModel, ValidationError
from tenacity import AsyncRetrying

from solo60 import correlation, tracing
from solo60.clients._breaker import CircuitBreaker, breaker_for
from solo60.clients._config import ClientConfig
from solo60.clients._exceptions import (
    CircuitOpen,
    ConnectFailed,
    ConnectionLost,
    ContractError,
    DeadlineExceeded,
    InvalidRequest,
    ServiceCallError,
    ServiceUnavailable,
    TimedOut,
    upstream_error,
)
from solo60.clients._reading import parse
from solo60.clients._retry import RETRYABLE_STATUSES, retry_after_seconds, retry_options
from solo60.contracts.errors import ErrorBody, FieldError
from solo60.contracts.route import Route

_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


@dataclass(slots=True)
class _Request:
    """One logical call, built and validated once and sent as often as the retry policy allows."""

    route: Route
    path: str
    params: dict[str, Any] | None
    content: bytes | None
    headers: dict[str, str]
    correlation_id: str
    attempts: int = 0


class ServiceClient:
    """Calls one service on behalf of another; open one per target and reuse it (it pools connections).

    `transport` replaces the network, e.g. `httpx.ASGITransport(app)` to call an app in-process.
    """

    service: ClassVar[str]
    """The target service, as its contract names it."""

    def __init__(self, config: ClientConfig, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        if config.target is not None and config.target != self.service:
            raise ValueError(f"{type(self).__name__} calls the {self.service} service, not {config.target}")
        self.config = config
        timeouts = config.timeouts
        self._http = httpx.AsyncClient(
            base_url=config.base_url,
            headers={"x-api-key": config.api_key, "x-service-name": config.caller, "accept": "application/json"},
            timeout=httpx.Timeout(timeouts.attempt, connect=timeouts.connect),
            transport=transport,
            verify=True if transport is not None else shared_ssl_context(),
        )
        tracing.instrument_client(self._http, config.caller)
        self._breaker = breaker_for(self.service, config.base_url, config.breaker)
        self._retry_options = retry_options(config.retry, deadline=timeouts.deadline)

    @property
    def breaker(self) -> CircuitBreaker:
        """The circuit breaker this client shares with every other client of the same target."""
        return self._breaker

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.config.caller} -> {self.service} at {self.config.base_url}>"

    async def _call(
        self,
        route: Route,
        *,
        path: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        body: BaseModel | Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        """Send one call to `route` and return its response model; raises a `ServiceCallError`."""
        request = self._request(route, path, query, body, idempotency_key)
        deadline = asyncio.timeout(self.config.timeouts.deadline)
        try:
            async with deadline:
                if route.retry_safe and self.config.retry.attempts > 1:
                    return await AsyncRetrying(**self._retry_options)(self._attempt, request)
                return await self._attempt(request)
        except TimeoutError:
            if not deadline.expired():
                raise
            tries = f"{request.attempts} attempt{'s' if request.attempts != 1 else ''}"
            message = f"no answer within the {self.config.timeouts.deadline:g} s deadline ({tries})"
            exceeded = self._failure(DeadlineExceeded, request, message)
            exceeded.attempts = request.attempts
            raise exceeded from None
        except ServiceCallError as error:
            error.attempts = request.attempts
            raise

    # -- building the request ----------------------------------------------------------------

    def _request(
        self,
        route: Route,
        path: Mapping[str, Any] | None,
        query: Mapping[str, Any] | None,
        body: BaseModel | Mapping[str, Any] | None,
        idempotency_key: str | None,
    ) -> _Request:
        url = route.path
        if route.path_params is not None:
            values = self._validated(route, route.path_params, path or {}, "path")
            url = route.render_path(values.model_dump(mode="json", by_alias=True))
        params = None
        if route.query is not None:
            given = {name: value for name, value in (query or {}).items() if value is not None}
            values = self._validated(route, route.query, given, "query")
            params = values.model_dump(mode="json", by_alias=True, exclude_none=True)
        headers = {"x-correlation-id": correlation.current_correlation_id()}
        content = None
        if route.body is not None:
            if body is None:
                raise self._invalid(route, [FieldError(field="body", message="a body is required", type="missing")])
            model = body if isinstance(body, route.body) else self._validated(route, route.body, body, "body")
            content = model.model_dump_json(exclude_unset=True).encode()
            headers["content-type"] = "application/json"
        if route.idempotency_key:
            key = idempotency_key or str(uuid.uuid4())
            if not _IDEMPOTENCY_KEY.match(key):
                problem = FieldError(
                    field="header.Idempotency-Key",
                    message="must be 1 to 255 printable ASCII characters without spaces",
                    type="string_pattern_mismatch",
                )
                raise self._invalid(route, [problem])
            headers["idempotency-key"] = key
        return _Request(route, url, params, content, headers, headers["x-correlation-id"])

    def _validated(self, route: Route, model: type[BaseModel], data: Any, location: str) -> BaseModel:
        try:
            return model.model_validate(data)
        except ValidationError as error:
            details = [
                FieldError(field=_wire_name(model, location, item["loc"]), message=item["msg"], type=item["type"])
                for item in error.errors(include_url=False, include_input=False)
            ]
            raise self._invalid(route, details) from None

    def _invalid(self, route: Route, details: list[FieldError]) -> InvalidRequest:
        summary = "; ".join(f"{detail.field}: {detail.message}" for detail in details[:5])
        return InvalidRequest(
            f"not sent, the arguments break the contract: {summary}",
            service=self.service,
            operation=route.name,
            details=details,
        )

    # -- one attempt ---------------------------------------------------------------------------

    async def _attempt(self, request: _Request) -> Any:
        request.attempts += 1
        breaker = self._breaker
        if not breaker.admit():
            wait = breaker.seconds_until_probe()
            raise CircuitOpen(
                f"failing fast: the {self.service} service failed {breaker.policy.failures} times in a row; "
                f"next probe in {wait:.1f} s",
                service=self.service,
                operation=request.route.name,
                retry_after=wait,
            )
        try:
            response = await self._http.request(
                request.route.method,
                request.path,
                params=request.params,
                content=request.content,
                headers=request.headers,
            )
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:
            breaker.record_failure()
            raise self._failure(ConnectFailed, request, f"cannot connect to {self.config.base_url}: {error}") from None
        except httpx.TimeoutException:
            breaker.record_failure()
            timeout = self.config.timeouts.attempt
            raise self._failure(TimedOut, request, f"no answer within the {timeout:g} s attempt timeout") from None
        except httpx.TransportError as error:
            breaker.record_failure()
            message = f"the connection broke before an answer arrived: {error!r}"
            raise self._failure(ConnectionLost, request, message) from None
        except BaseException:
            breaker.record_abandoned()
            raise
        if response.status_code >= 500:
            breaker.record_failure()
        else:
            breaker.record_success()
        return self._result(request, response)

    def _failure(self, kind: type[ServiceCallError], request: _Request, message: str) -> ServiceCallError:
        return kind(message, service=self.service, operation=request.route.name, correlation_id=request.correlation_id)

    # -- reading the answer ----------------------------------------------------------------------

    def _result(self, request: _Request, response: httpx.Response) -> Any:
        route, status = request.route, response.status_code
        if not 200 <= status < 300:
            raise self._error(request, response)
        if status not in route.responses:
            declared = ", ".join(str(code) for code in sorted(route.responses))
            raise self._contract_error(request, response, "status", f"answered {status}; it declares {declared}")
        model = route.responses[status]
        if model is None:
            return None
        try:
            return parse(
                model,
                response.content,
                method=route.method,
                url=str(response.request.url),
                status=status,
                service=self.service,
                operation=route.name,
            )
        except ValidationError as error:
            field, summary = _first_problem(error)
            message = f"answered {status} with a body that is not a {model.__name__}: {summary}"
            raise self._contract_error(request, response, field, message) from None

    def _error(self, request: _Request, response: httpx.Response) -> ServiceCallError:
        status = response.status_code
        retry_after = retry_after_seconds(response.headers.get("retry-after"))
        try:
            body = ErrorBody.model_validate_json(response.content)
        except ValidationError as error:
            if status in RETRYABLE_STATUSES and status != 429:
                return ServiceUnavailable(
                    f"answered {status} without an error body (a proxy, or a service starting or stopping)",
                    service=self.service,
                    operation=request.route.name,
                    status=status,
                    correlation_id=request.correlation_id,
                    retry_after=retry_after,
                )
            field, summary = _first_problem(error)
            message = f"answered {status} without the conventions' error body: {summary}"
            return self._contract_error(request, response, field, message)
        return upstream_error(
            body, service=self.service, operation=request.route.name, status=status, retry_after=retry_after
        )

    def _contract_error(self, request: _Request, response: httpx.Response, field: str, message: str) -> ContractError:
        return ContractError(
            message,
            service=self.service,
            operation=request.route.name,
            status=response.status_code,
            field=field,
            correlation_id=response.headers.get("x-correlation-id", request.correlation_id),
        )


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """One TLS context for every client in the process, built the first time a client needs one.

    httpx builds a fresh context per client by default, loading the CA bundle each time (tens of
    milliseconds, paid even by clients of http:// URLs); a process that opens a client per call
    or per test paid that on each. The context is httpx's own default (certifi, or
    `SSL_CERT_FILE` / `SSL_CERT_DIR` when set), only built once; it holds no per-connection state.
    """
    return httpx.create_ssl_context()


def _first_problem(error: ValidationError) -> tuple[str, str]:
    """The first offending field (wire names, dotted) and a summary of every problem."""
    problems = error.errors(include_url=False, include_input=False)
    names = [".".join(str(part) for part in item["loc"]) or "(the whole body)" for item in problems]
    summary = "; ".join(f"{name}: {item['msg']}" for name, item in zip(names, problems, strict=True))
    return names[0], summary


def _wire_name(model: type[BaseModel], location: str, loc: tuple[int | str, ...]) -> str:
    """`body.emailVerified`: the field as the provider would name it in a 400, not its Python name."""
    parts = [str(part) for part in loc]
    field = model.model_fields.get(parts[0]) if parts else None
    if field is not None and field.alias:
        parts[0] = field.alias
    return ".".join([location, *parts])
