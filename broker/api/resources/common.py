"""Shared response documentation and small helpers for resources."""

from __future__ import annotations

from broker.api.requests import BrokerRequest
from broker.errors import InvalidInputError

NOT_FOUND = {404: "Not found"}
BAD_REQUEST = {400: "Invalid input"}
BODY_ERRORS = {400: "Invalid input", 413: "Body too large", 415: "Body is not JSON"}
WRITE_ERRORS = {**BODY_ERRORS, 503: "Database busy; retry"}

MAX_PAGE = 1_000_000
"""Far past any real listing, and small enough that page x size stays a 64-bit database offset."""
PAGE_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}


def _whole_number(raw: str) -> int | None:
    # str.isdigit also accepts digits int() refuses, such as "²".
    return int(raw) if raw.isascii() and raw.isdigit() else None


def page_parameters(request: BrokerRequest, default_size: int = 100, max_size: int = 1000) -> tuple[int, int]:
    """`page` (from 1) and `size`/`pageSize`, validated; returns (limit, offset)."""
    scalars = request.query.scalars
    raw_page = scalars.get("page", "1")
    raw_size = scalars.get("size", scalars.get("pageSize", str(default_size)))
    page, size = _whole_number(raw_page), _whole_number(raw_size)
    if page is None or not 1 <= page <= MAX_PAGE:
        raise InvalidInputError(
            f"page must be a whole number from 1 to {MAX_PAGE}", {"page": [f"must be from 1 to {MAX_PAGE}"]}
        )
    if size is None or not 1 <= size <= max_size:
        raise InvalidInputError(
            f"size must be a whole number from 1 to {max_size}", {"size": [f"must be from 1 to {max_size}"]}
        )
    return size, (page - 1) * size
