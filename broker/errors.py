"""Every error the broker's domain raises, as one hierarchy the HTTP layer maps to statuses.

The domain speaks in these terms ("not found", "invalid", "conflict"); only `broker.api.errors`
knows which HTTP status and JSON body each one becomes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

ErrorDetails = Mapping[str, Sequence[str]] | Sequence[str]


class BrokerError(Exception):
    """Base class: a request the broker refuses, with a message a client can show."""

    def __init__(self, message: str, errors: ErrorDetails | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors: ErrorDetails = errors if errors is not None else [message]


class NotFoundError(BrokerError):
    """The named resource does not exist."""


class InvalidInputError(BrokerError):
    """The request is well formed but its content breaks a rule."""


class MalformedRequestError(InvalidInputError):
    """The body is not parseable JSON, or not the shape the resource takes."""


class ConflictError(BrokerError):
    """The request contradicts what is already stored (e.g. changed pact content)."""

    def __init__(
        self, message: str, errors: ErrorDetails | None = None, notices: Sequence[Mapping[str, Any]] = ()
    ) -> None:
        super().__init__(message, errors)
        self.notices = list(notices)


class UnprocessableError(BrokerError):
    """The request asks for a state change the resource cannot make (e.g. redeploying via PATCH)."""


class UnauthorizedError(BrokerError):
    """No or wrong credentials."""


class ForbiddenError(BrokerError):
    """Credentials are valid but may not do this."""


class PayloadTooLargeError(BrokerError):
    """The body is over the configured limit."""


class UnsupportedMediaTypeError(BrokerError):
    """The body is not declared as JSON."""


class MethodNotAllowedError(BrokerError):
    """The path exists but not for this method."""

    def __init__(self, message: str, allowed: Sequence[str]) -> None:
        super().__init__(message)
        self.allowed = list(allowed)


class NotAcceptableError(BrokerError):
    """The client accepts none of the representations the resource has."""
