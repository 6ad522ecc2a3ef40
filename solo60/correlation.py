"""The request context that follows a call through every hop.

A provider sets these when a request arrives; the service clients read them when they call
the next service, so a correlation id set at the edge reaches every log line downstream.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

correlation_id: ContextVar[str | None] = ContextVar("solo60_correlation_id", default=None)
calling_service: ContextVar[str | None] = ContextVar("solo60_calling_service", default=None)

_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._:/=+\-]{1,128}$")


def new_correlation_id() -> str:
    return str(uuid.uuid4())


def acceptable(candidate: str | None) -> bool:
    """Whether a received id is safe to echo and log; anything else is replaced, not trusted."""
    return candidate is not None and _ACCEPTABLE.match(candidate) is not None


def current_correlation_id() -> str:
    """The id of the call being served, or a new one when there is none (a job, a script)."""
    return correlation_id.get() or new_correlation_id()
