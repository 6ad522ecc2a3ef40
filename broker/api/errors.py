"""Domain errors -> HTTP statuses and `{"errors": ...}` bodies the official clients print."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from broker import errors
from broker.api.responses import HalResponse, error

STATUS_BY_ERROR: list[tuple[type[errors.BrokerError], int]] = [
    (errors.NotFoundError, 404),
    (errors.InvalidInputError, 400),
    (errors.ConflictError, 409),
    (errors.UnprocessableError, 422),
    (errors.UnauthorizedError, 401),
    (errors.ForbiddenError, 403),
    (errors.PayloadTooLargeError, 413),
    (errors.UnsupportedMediaTypeError, 415),
    (errors.MethodNotAllowedError, 405),
    (errors.NotAcceptableError, 406),
]


def _errors_body(details: Any) -> Any:
    if isinstance(details, Mapping):
        return {str(key): list(value) if not isinstance(value, str) else [value] for key, value in details.items()}
    return list(details)


def response_for(failure: errors.BrokerError) -> HalResponse:
    status = next((code for kind, code in STATUS_BY_ERROR if isinstance(failure, kind)), 400)
    headers: dict[str, str] = {}
    if isinstance(failure, errors.MethodNotAllowedError):
        headers["Allow"] = ", ".join(failure.allowed)
    if isinstance(failure, errors.UnauthorizedError):
        headers["WWW-Authenticate"] = 'Basic realm="Restricted area"'
    notices = [dict(notice) for notice in failure.notices] if isinstance(failure, errors.ConflictError) else None
    return error(status, _errors_body(failure.errors), notices=notices, headers=headers)


def internal_error() -> HalResponse:
    return error(500, ["An unexpected error occurred in the broker; it has been logged"])


def unavailable() -> HalResponse:
    return error(503, ["The database is busy; please retry"], headers={"Retry-After": "1"})


def shed(status: int, message: str, retry_after: int) -> HalResponse:
    """429 or 503 from load shedding (`broker.api.admission`)."""
    return error(status, [message], headers={"Retry-After": str(retry_after)})
