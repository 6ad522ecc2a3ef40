"""The one error body every provider answers with, and the codes it may carry.

This table is the only list of codes: each code's status, its description in the documents,
and the names of the two exceptions that carry it, the one a provider raises to answer it
(`solo60.services.kit.errors`) and the one a client raises on receiving it
(`solo60.clients._exceptions`). Both modules check their classes against it at import.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from solo60.contracts.models import ResponseModel


class ErrorCode(StrEnum):
    VALIDATION_ERROR = "VALIDATION_ERROR"
    UNAUTHORIZED = "UNAUTHORIZED"
    INSUFFICIENT_CREDITS = "INSUFFICIENT_CREDITS"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    CONFLICT = "CONFLICT"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    RATE_LIMITED = "RATE_LIMITED"
    INTERNAL = "INTERNAL"
    UPSTREAM_UNAVAILABLE = "UPSTREAM_UNAVAILABLE"

    @property
    def status(self) -> int:
        return STATUS_OF[self]

    @property
    def description(self) -> str:
        return DESCRIPTION_OF[self]

    @property
    def exception_name(self) -> str:
        """The name of the exception a provider raises to answer this code (`NotFound`)."""
        return EXCEPTION_NAME_OF[self]

    @property
    def upstream_exception_name(self) -> str:
        """The name of the exception a client raises when the service it called answered this code.

        A distinct family (`UpstreamNotFound`), so code that both calls and answers never has
        two `NotFound` classes to tell apart by renaming one on import.
        """
        return f"Upstream{EXCEPTION_NAME_OF[self]}"


STATUS_OF: dict[ErrorCode, int] = {
    ErrorCode.VALIDATION_ERROR: 400,
    ErrorCode.UNAUTHORIZED: 401,
    ErrorCode.INSUFFICIENT_CREDITS: 402,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
    ErrorCode.CONFLICT: 409,
    ErrorCode.PAYLOAD_TOO_LARGE: 413,
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: 415,
    ErrorCode.IDEMPOTENCY_KEY_REUSED: 422,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.INTERNAL: 500,
    ErrorCode.UPSTREAM_UNAVAILABLE: 503,
}

DESCRIPTION_OF: dict[ErrorCode, str] = {
    ErrorCode.VALIDATION_ERROR: "The request does not match the contract; `details` lists each field.",
    ErrorCode.UNAUTHORIZED: "The `x-api-key` header is missing or not one of the accepted service keys.",
    ErrorCode.INSUFFICIENT_CREDITS: "The user does not have enough credits.",
    ErrorCode.FORBIDDEN: "The caller may not perform this action.",
    ErrorCode.NOT_FOUND: "The resource does not exist.",
    ErrorCode.METHOD_NOT_ALLOWED: "The path exists but not with this method; see the `Allow` header.",
    ErrorCode.CONFLICT: "The request conflicts with the current state of the resource.",
    ErrorCode.PAYLOAD_TOO_LARGE: "The body is larger than the provider accepts.",
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: "The body must be sent as `application/json`.",
    ErrorCode.IDEMPOTENCY_KEY_REUSED: "The `Idempotency-Key` was already used with a different request.",
    ErrorCode.RATE_LIMITED: "Too many requests from this calling service; retry after `Retry-After` seconds.",
    ErrorCode.INTERNAL: "The provider failed; the correlation id finds it in the logs.",
    ErrorCode.UPSTREAM_UNAVAILABLE: (
        "A service this call depends on, or the service's own database, is unavailable; retry later."
    ),
}


EXCEPTION_NAME_OF: dict[ErrorCode, str] = {
    ErrorCode.VALIDATION_ERROR: "ValidationFailed",
    ErrorCode.UNAUTHORIZED: "Unauthorized",
    ErrorCode.INSUFFICIENT_CREDITS: "InsufficientCredits",
    ErrorCode.FORBIDDEN: "Forbidden",
    ErrorCode.NOT_FOUND: "NotFound",
    ErrorCode.METHOD_NOT_ALLOWED: "MethodNotAllowed",
    ErrorCode.CONFLICT: "Conflict",
    ErrorCode.PAYLOAD_TOO_LARGE: "PayloadTooLarge",
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: "UnsupportedMediaType",
    ErrorCode.IDEMPOTENCY_KEY_REUSED: "IdempotencyKeyReused",
    ErrorCode.RATE_LIMITED: "RateLimited",
    ErrorCode.INTERNAL: "InternalError",
    ErrorCode.UPSTREAM_UNAVAILABLE: "DependencyUnavailable",
}
"""Each code's exception: the provider raises `NotFound`, a client of it raises `UpstreamNotFound`."""


class FieldError(ResponseModel):
    """One field that failed validation, named as `location.path` (e.g. `body.email`)."""

    field: str
    message: str
    type: str


class ErrorBody(ResponseModel):
    """`{"error": CODE, "message": str, "details": [...]?, "correlationId": str}`."""

    error: ErrorCode
    message: str
    details: list[FieldError] | None = Field(default=None)
    correlation_id: str
