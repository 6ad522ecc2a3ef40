"""Shared response documentation and small helpers for resources."""

from __future__ import annotations

from broker.api.requests import BrokerRequest
from broker.errors import InvalidInputError
from broker.nested_query import whole_number

NOT_FOUND = {404: "Not found"}
BAD_REQUEST = {400: "Invalid input"}
BODY_ERRORS = {400: "Invalid input", 413: "Body too large", 415: "Body is not JSON"}
WRITE_ERRORS = {**BODY_ERRORS, 503: "Database busy; retry"}

MAX_PAGE = 1_000_000
"""Far past any real listing, and small enough that page x size stays a 64-bit database offset."""
PAGE_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}


def page_parameters(request: BrokerRequest, default_size: int = 100, max_size: int = 1000) -> tuple[int, int]:
    """`page` (from 1) and `size`/`pageSize`, validated; returns (limit, offset)."""
    scalars = request.query.scalars
    size_name = "size" if "size" in scalars or "pageSize" not in scalars else "pageSize"
    page, size = whole_number(scalars.get("page", "1")), whole_number(scalars.get(size_name, str(default_size)))
    if page is None or not 1 <= page <= MAX_PAGE:
        raise InvalidInputError(
            f"page must be a whole number from 1 to {MAX_PAGE}", {"page": [f"must be from 1 to {MAX_PAGE}"]}
        )
    if size is None or not 1 <= size <= max_size:
        raise InvalidInputError(
            f"{size_name} must be a whole number from 1 to {max_size}",
            {size_name: [f"must be from 1 to {max_size}"]},
        )
    return size, (page - 1) * size
