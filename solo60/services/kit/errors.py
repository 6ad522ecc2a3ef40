"""Failures a handler raises, each rendered as the one error body of the conventions.

One class per code of `solo60.contracts.errors`, named there (`ErrorCode.NOT_FOUND.exception_name`);
a client of the service raises the `Upstream...` twin of each (`solo60.clients`), so a
handler that calls another service and answers its own caller never renames an import.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from pydantic import ValidationError
from starlette.responses import Response

from solo60.contracts.errors import ErrorCode, FieldError
from solo60.correlation import current_correlation_id


class ServiceError(Exception):
    """A failure the caller is told about: its code decides the status."""

    code: ClassVar[ErrorCode] = ErrorCode.INTERNAL

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "code" in cls.__dict__ and cls.__name__ != cls.code.exception_name:
            raise TypeError(f"{cls.__name__} answers {cls.code}, whose exception is named {cls.code.exception_name}")

    def __init__(
        self,
        message: str,
        *,
        details: Sequence[FieldError] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = list(details) if details is not None else None
        self.headers = dict(headers or {})

    def to_response(self) -> Response:
        return error_response(self.code, self.message, details=self.details, headers=self.headers)


class ValidationFailed(ServiceError):
    code = ErrorCode.VALIDATION_ERROR

    @classmethod
    def from_pydantic(cls, error: ValidationError, location: str) -> ValidationFailed:
        details = [
            FieldError(
                field=".".join([location, *(str(part) for part in item["loc"])]),
                message=_readable(item),
                type=item["type"],
            )
            for item in error.errors(include_url=False, include_input=False)
        ]
        summary = "; ".join(f"{detail.field}: {detail.message}" for detail in details[:5])
        return cls(f"Invalid request: {summary}", details=details)


class Unauthorized(ServiceError):
    code = ErrorCode.UNAUTHORIZED


class InsufficientCredits(ServiceError):
    code = ErrorCode.INSUFFICIENT_CREDITS


class Forbidden(ServiceError):
    code = ErrorCode.FORBIDDEN


class NotFound(ServiceError):
    code = ErrorCode.NOT_FOUND


class MethodNotAllowed(ServiceError):
    code = ErrorCode.METHOD_NOT_ALLOWED


class Conflict(ServiceError):
    code = ErrorCode.CONFLICT


class PayloadTooLarge(ServiceError):
    code = ErrorCode.PAYLOAD_TOO_LARGE


class UnsupportedMediaType(ServiceError):
    code = ErrorCode.UNSUPPORTED_MEDIA_TYPE


class IdempotencyKeyReused(ServiceError):
    code = ErrorCode.IDEMPOTENCY_KEY_REUSED


class RateLimited(ServiceError):
    code = ErrorCode.RATE_LIMITED


class InternalError(ServiceError):
    code = ErrorCode.INTERNAL


class DependencyUnavailable(ServiceError):
    """503: a service this call depends on (or the database) gave no usable answer; the message names it."""

    code = ErrorCode.UPSTREAM_UNAVAILABLE


PROVIDER_ERRORS: dict[ErrorCode, type[ServiceError]] = {cls.code: cls for cls in ServiceError.__subclasses__()}
"""The exception of each code, as the table names it."""


def error_response(
    code: ErrorCode,
    message: str,
    *,
    details: Sequence[FieldError] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """`{"error", "message", "details"?, "correlationId"}` with the code's status."""
    correlation = current_correlation_id()
    body: dict[str, Any] = {"error": code.value, "message": message, "correlationId": correlation}
    if details is not None:
        body["details"] = [detail.model_dump(mode="json") for detail in details]
    return Response(
        json.dumps(body),
        status_code=code.status,
        media_type="application/json",
        headers={"x-correlation-id": correlation, **(headers or {})},
    )


def _readable(item: Mapping[str, Any]) -> str:
    if item["type"] == "json_invalid":
        return f"malformed JSON ({item['ctx'].get('error', 'cannot parse')})"
    return str(item["msg"])
