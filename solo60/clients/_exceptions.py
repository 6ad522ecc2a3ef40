"""Every way a call to another service can fail, as one hierarchy.

Catch at the level you care about, as with httpx: `ServiceCallError` for "the call did not
give me an answer I can use", `UpstreamError` for "the provider said no" (with its code,
message and correlation id), `TransportError` for "no answer at all", or one code such as
`UpstreamNotFound` or `UpstreamInsufficientCredits`.

The answered codes come from the one table in `solo60.contracts.errors`: each class is named
`Upstream` + the name of the provider's own exception for that code, so a service that calls
another and answers its caller holds `NotFound` (what it raises) and `UpstreamNotFound` (what it
catches) without renaming either on import.

    ServiceCallError
    ├── InvalidRequest          the arguments break the contract; nothing was sent
    ├── UpstreamError           the provider answered the conventions' error body
    │   ├── UpstreamValidationFailed    (details: one FieldError per field)
    │   ├── UpstreamUnauthorized, UpstreamInsufficientCredits, UpstreamForbidden, UpstreamNotFound,
    │   │   UpstreamMethodNotAllowed, UpstreamConflict, UpstreamPayloadTooLarge,
    │   │   UpstreamUnsupportedMediaType, UpstreamIdempotencyKeyReused, UpstreamRateLimited
    │   └── UpstreamInternalError, UpstreamDependencyUnavailable
    ├── TransportError          no usable answer
    │   ├── ConnectFailed, ConnectionLost, ServiceUnavailable
    │   └── TimedOut
    │       └── DeadlineExceeded
    ├── CircuitOpen             failing fast: the target failed repeatedly
    └── ContractError           the answer does not match the contract (names the field)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from solo60.contracts.errors import ErrorBody, ErrorCode, FieldError


class ServiceCallError(Exception):
    """A call to another service did not produce a result; `service` and `operation` say which."""

    def __init__(self, message: str, *, service: str, operation: str, correlation_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.service = service
        self.operation = operation
        self.correlation_id = correlation_id
        self.attempts = 1

    def __str__(self) -> str:
        suffix = f" (correlation id {self.correlation_id})" if self.correlation_id else ""
        return f"{self.service}.{self.operation}: {self.message}{suffix}"


class InvalidRequest(ServiceCallError, ValueError):
    """The arguments do not satisfy the route's models, so the call was never sent: a caller bug."""

    def __init__(self, message: str, *, service: str, operation: str, details: Sequence[FieldError]) -> None:
        super().__init__(message, service=service, operation=operation)
        self.details = list(details)
        self.attempts = 0


class UpstreamError(ServiceCallError):
    """The provider answered with the error body of the conventions."""

    code: ErrorCode = ErrorCode.INTERNAL
    """The class's code; a code this client does not know keeps `UpstreamError` and carries it here."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "code" in cls.__dict__ and cls.__name__ != cls.code.upstream_exception_name:
            raise TypeError(
                f"{cls.__name__} carries {cls.code}, whose client exception is named {cls.code.upstream_exception_name}"
            )

    def __init__(
        self,
        message: str,
        *,
        service: str,
        operation: str,
        status: int,
        code: ErrorCode | None = None,
        correlation_id: str | None = None,
        details: Sequence[FieldError] | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, service=service, operation=operation, correlation_id=correlation_id)
        if code is not None:
            self.code = code
        self.status = status
        self.details = list(details) if details is not None else []
        self.retry_after = retry_after

    def __str__(self) -> str:
        answer = f"{self.service}.{self.operation} answered {self.status} {self.code}: {self.message}"
        return f"{answer} (correlation id {self.correlation_id})" if self.correlation_id else answer


class UpstreamValidationFailed(UpstreamError):
    """The provider refused the request's shape; `details` names each field (`body.email`, ...)."""

    code = ErrorCode.VALIDATION_ERROR


class UpstreamUnauthorized(UpstreamError):
    code = ErrorCode.UNAUTHORIZED


class UpstreamInsufficientCredits(UpstreamError):
    code = ErrorCode.INSUFFICIENT_CREDITS


class UpstreamForbidden(UpstreamError):
    code = ErrorCode.FORBIDDEN


class UpstreamNotFound(UpstreamError):
    code = ErrorCode.NOT_FOUND


class UpstreamMethodNotAllowed(UpstreamError):
    code = ErrorCode.METHOD_NOT_ALLOWED


class UpstreamConflict(UpstreamError):
    code = ErrorCode.CONFLICT


class UpstreamPayloadTooLarge(UpstreamError):
    code = ErrorCode.PAYLOAD_TOO_LARGE


class UpstreamUnsupportedMediaType(UpstreamError):
    code = ErrorCode.UNSUPPORTED_MEDIA_TYPE


class UpstreamIdempotencyKeyReused(UpstreamError):
    code = ErrorCode.IDEMPOTENCY_KEY_REUSED


class UpstreamRateLimited(UpstreamError):
    """The provider sheds this caller's load; `retry_after` is its `Retry-After` in seconds."""

    code = ErrorCode.RATE_LIMITED


class UpstreamInternalError(UpstreamError):
    """The provider failed (a bug on its side); its logs hold the correlation id."""

    code = ErrorCode.INTERNAL


class UpstreamDependencyUnavailable(UpstreamError):
    """The provider is up but a service it depends on is not."""

    code = ErrorCode.UPSTREAM_UNAVAILABLE


ERROR_CLASSES: dict[ErrorCode, type[UpstreamError]] = {cls.code: cls for cls in UpstreamError.__subclasses__()}
"""The client exception of each code the table lists."""


def upstream_error(
    body: ErrorBody, *, service: str, operation: str, status: int, retry_after: float | None
) -> UpstreamError:
    """The typed exception for an error body (a code this client does not know stays an `UpstreamError`)."""
    cls = ERROR_CLASSES.get(body.error, UpstreamError)
    return cls(
        body.message,
        service=service,
        operation=operation,
        status=status,
        code=body.error,
        correlation_id=body.correlation_id,
        details=body.details,
        retry_after=retry_after,
    )


class TransportError(ServiceCallError):
    """No usable answer: the connection failed, dropped or timed out."""


class ConnectFailed(TransportError):
    """The target refused or could not be reached; nothing was sent."""


class ConnectionLost(TransportError):
    """The connection broke after the request was (perhaps) sent: only a retry-safe call is resent."""


class ServiceUnavailable(TransportError):
    """A 502/503/504 without the error body: a proxy or a server that is starting or stopping."""

    def __init__(
        self,
        message: str,
        *,
        service: str,
        operation: str,
        status: int,
        correlation_id: str | None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, service=service, operation=operation, correlation_id=correlation_id)
        self.status = status
        self.retry_after = retry_after


class TimedOut(TransportError):
    """An attempt got no answer within its timeout."""


class DeadlineExceeded(TimedOut):
    """The whole call, retries included, ran past its deadline."""


class CircuitOpen(ServiceCallError):
    """The target failed repeatedly, so calls fail fast until a probe after `retry_after` seconds succeeds."""

    def __init__(self, message: str, *, service: str, operation: str, retry_after: float) -> None:
        super().__init__(message, service=service, operation=operation)
        self.retry_after = retry_after


class ContractError(ServiceCallError):
    """The provider answered something its contract does not allow; `field` names the first culprit."""

    def __init__(
        self, message: str, *, service: str, operation: str, status: int, field: str, correlation_id: str | None
    ) -> None:
        super().__init__(message, service=service, operation=operation, correlation_id=correlation_id)
        self.status = status
        self.field = field
