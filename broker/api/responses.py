"""What a resource returns: a status, a JSON body and headers. Every 2xx carries a JSON body,
because the verifier rejects an empty one."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

HAL_JSON = "application/hal+json;charset=utf-8"
JSON = "application/json;charset=utf-8"


@dataclass
class HalResponse:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = HAL_JSON
    raw: bytes | None = None

    def render(self) -> bytes:
        if self.raw is not None:
            return self.raw
        return json.dumps(self.body, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")


def ok(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> HalResponse:
    return HalResponse(status, body, headers or {})


def created(body: Any, location: str | None = None) -> HalResponse:
    return HalResponse(201, body, {"Location": location} if location else {})


def created_or_ok(body: Any, was_created: bool, location: str | None = None) -> HalResponse:
    return created(body, location) if was_created else ok(body)


def error(
    status: int, errors: Any, *, notices: list[dict[str, Any]] | None = None, headers: dict[str, str] | None = None
) -> HalResponse:
    body: dict[str, Any] = {"errors": errors}
    if notices:
        body["notices"] = notices
    return HalResponse(status, body, headers or {}, content_type=JSON)
