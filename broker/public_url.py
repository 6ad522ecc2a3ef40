"""The broker's public base URL as the current request sees it.

Links are absolute; the base comes from configuration (`--base-url`) or, when none is given,
from the request itself. Work triggered by a request (webhook contexts) reads it from here.
"""

from __future__ import annotations

from contextvars import ContextVar

current_base_url: ContextVar[str] = ContextVar("current_base_url", default="http://localhost:9292")
