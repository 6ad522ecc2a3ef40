"""Shared response documentation and small helpers for resources."""

from __future__ import annotations

from broker.api.requests import BrokerRequest
from broker.errors import InvalidInputError

NOT_FOUND = {404: "Not found"}
BAD_REQUEST = {400: "Invalid input"}
BODY_ERRORS = {400: "Invalid input", 413: "Body too large", 415: "Body is not JSON"}
WRITE_ERRORS = {**BODY_ERRORS, 503: "Database busy; retry"}


def page_parameters(request: BrokerRequest, default_size: int = 100, max_size: int = 1000) -> tuple[int, int]:
    """`page` (from 1) and `size`/`pageSize`, validated; returns (limit, offset)."""
    scalars = request.query.scalars
    raw_page = scalars.get("page", "1")
    raw_size = scalars.get("size", scalars.get("pageSize", str(default_size)))
    if not raw_page.isdigit() or int(raw_page) < 1:
        raise InvalidInputError("page must be a whole number from 1", {"page": ["must be a whole number from 1"]})
    if not raw_size.isdigit() or not 1 <= int(raw_size) <= max_size:
        raise InvalidInputError(
            f"size must be a whole number from 1 to {max_size}", {"size": [f"must be from 1 to {max_size}"]}
        )
    size = int(raw_size)
    return size, (int(raw_page) - 1) * size
