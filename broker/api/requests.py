"""What a resource handler receives: path parameters, the parsed query, the JSON body, the
open database connection and the link builder for this request."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection

from broker.api.links import Links
from broker.config import BrokerSettings
from broker.errors import InvalidInputError, MalformedRequestError, UnsupportedMediaTypeError
from broker.nested_query import NestedQuery
from broker.pacts.content import MAX_DEPTH, nesting_depth
from broker.text import may_hold_surrogates, refuse_unpaired_surrogates

MAX_JSON_DEPTH = MAX_DEPTH


def _reject_constant(value: str) -> Any:
    raise ValueError(f"{value} is not valid JSON")


def is_json_media_type(content_type: str | None) -> bool:
    if not content_type:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def parse_json(body: bytes) -> Any:
    if not body.strip():
        raise MalformedRequestError("The request body is empty; JSON was expected", ["The request body is empty"])
    try:
        value = json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except UnicodeDecodeError:
        raise MalformedRequestError("The request body is not UTF-8", ["The request body is not UTF-8"]) from None
    except (ValueError, RecursionError) as problem:
        raise MalformedRequestError(
            "The request body is not valid JSON", [f"The request body is not valid JSON: {problem}"]
        ) from None
    if nesting_depth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise MalformedRequestError("The request body is nested too deeply", ["The request body is nested too deeply"])
    if may_hold_surrogates(body):
        refuse_unpaired_surrogates(value)
    return value


@dataclass
class BrokerRequest:
    method: str
    path: str
    params: dict[str, str]
    query: NestedQuery
    headers: dict[str, str]
    body: bytes
    links: Links
    settings: BrokerSettings
    connection: Connection = field(default=None)  # type: ignore[assignment]
    services: Any = None
    role: Any = None  # the caller's broker.api.auth.Role (pages hide write controls from read-only users)
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    prepared: Any = None
    """What the operation's `prepare` step made of the request before its transaction began."""
    _parsed: Any = field(default=None, repr=False)

    def param(self, name: str) -> str:
        return self.params[name]

    def query_value(self, name: str) -> str | None:
        value = self.query.scalars.get(name)
        return value if value not in (None, "") else None

    def json(self, *, required: bool = True) -> Any:
        if not self.body.strip() and not required:
            return {}
        if not is_json_media_type(self.headers.get("content-type")):
            raise UnsupportedMediaTypeError(
                "The request body must be JSON (Content-Type: application/json)",
                ["The request body must be JSON (Content-Type: application/json)"],
            )
        if self._parsed is None:  # parsed once, whether in `prepare` or in the handler
            self._parsed = parse_json(self.body)
        return self._parsed

    def json_object(self, *, required: bool = True) -> dict[str, Any]:
        value = self.json(required=required)
        if not isinstance(value, dict):
            raise InvalidInputError(
                "The request body must be a JSON object", ["The request body must be a JSON object"]
            )
        return value
