"""Pact matchers for the conventions of the internal API, so pacts pin shape, not values.

`shape_of(model)` turns an example response model (the same model the client parses) into
type matchers for every field the consumer relies on: the client validates every required
field, so those are exactly what a provider must keep sending.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import Enum
from typing import Any

from pact import match
from pydantic import BaseModel

from solo60.contracts.errors import ErrorCode

TIMESTAMP_FORMAT = "yyyy-MM-dd'T'HH:mm:ssXXX"
"""Accepts `Z` and `+01:00` alike (the default conversion of strftime patterns accepts neither)."""

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]*$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"
SERVICE_KEY_EXAMPLE = "solo60-dev-key"


def timestamp(example: str | datetime = "2025-01-02T03:04:05Z") -> Any:
    text = example if isinstance(example, str) else _rfc3339(example)
    return match.datetime(text, TIMESTAMP_FORMAT, disable_conversion=True)


def identifier(example: str) -> Any:
    return match.regex(example, regex=ID_PATTERN)


def email(example: str) -> Any:
    return match.regex(example, regex=EMAIL_PATTERN)


def one_of(example: Enum) -> Any:
    """Any value of the example's enum: a provider may answer another status, not another word."""
    values = "|".join(re.escape(str(member.value)) for member in type(example))
    return match.regex(str(example.value), regex=f"^({values})$")


def service_key() -> Any:
    """The `x-api-key` header: present, any value (the verifier replays the example)."""
    return match.regex(SERVICE_KEY_EXAMPLE, regex=r"^.+$")


def idempotency_key(example: str) -> Any:
    return match.regex(example, regex=IDEMPOTENCY_KEY_PATTERN)


def error_body(code: ErrorCode, *, with_details: bool = False) -> dict[str, Any]:
    """The conventions' error body with this exact code; message and correlation id by type."""
    body: dict[str, Any] = {
        "error": code.value,
        "message": match.str("what went wrong"),
        "correlationId": match.str("0f8c2a8e-6b1e-4a43-9d3b-4a1c2f5e7d90"),
    }
    if with_details:
        body["details"] = match.each_like(
            {"field": match.str("body.email"), "message": match.str("invalid"), "type": match.str("value_error")},
            min=1,
        )
    return body


def shape_of(model: BaseModel, *, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Type matchers for the fields of an example model, keyed by their wire names.

    Fields left at None are skipped (the consumer cannot rely on a value it never saw), and so
    are the field names in `skip`.
    """
    shaped: dict[str, Any] = {}
    for name, info in type(model).model_fields.items():
        if name in skip:
            continue
        value = getattr(model, name)
        if value is None:
            continue
        shaped[info.serialization_alias or info.alias or name] = _matcher(value)
    return shaped


def _matcher(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return shape_of(value)
    if isinstance(value, Enum):
        return one_of(value)
    if isinstance(value, bool):
        return match.bool(value)
    if isinstance(value, int):
        return match.int(value)
    if isinstance(value, float):
        return match.number(value)
    if isinstance(value, datetime):
        return timestamp(value)
    if isinstance(value, str):
        return match.str(value)
    if isinstance(value, list | tuple):
        if not value:
            return match.like([])
        return match.each_like(_matcher(value[0]), min=1)
    if isinstance(value, dict):
        return match.like(value)
    raise TypeError(f"no pact matcher for {type(value).__name__} values")


def _rfc3339(moment: datetime) -> str:
    from solo60.contracts.models import _rfc3339_utc

    return _rfc3339_utc(moment)


def like_json(value: Any) -> Any:
    """Type matchers for a JSON value a consumer's code composed: each leaf by its type, a list by its first item.

    The pact then says which fields the consumer sends and of what type, while the example
    values stay what its code produced.
    """
    if isinstance(value, dict):
        return {key: like_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return match.each_like(like_json(value[0]), min=1) if value else match.like([])
    if isinstance(value, bool):
        return match.bool(value)
    if isinstance(value, int):
        return match.int(value)
    if isinstance(value, float):
        return match.number(value)
    if isinstance(value, str):
        return match.str(value)
    return value


def sent_mail(
    mail: dict[str, Any], *, recipient: Any = None, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A send-email body as the consumer's code composed it: the template exactly, the recipient by
    its form (a user id or an address), each variable by type. The pact pins which variables
    go with which template, not what a plan or a gym is called.

    `recipient` and `variables` give the matchers of values the consumer's code makes anew on
    every run (a new user's id, the token in a link), so the pact's examples stay put; only
    variables the code actually sent may be given.
    """
    to = mail["to"]
    if recipient is None:
        recipient = identifier(to["userId"]) if "userId" in to else email(to["email"])
    sent = dict(mail.get("variables", {}))
    unknown = set(variables or {}) - set(sent)
    if unknown:
        raise ValueError(f"the consumer's code did not send {sorted(unknown)} with {mail['templateKey']}")
    shaped = {name: (variables or {}).get(name, like_json(value)) for name, value in sent.items()}
    return {
        "templateKey": mail["templateKey"],
        "to": {("userId" if "userId" in to else "email"): recipient},
        "variables": shaped,
    }
