"""Text the broker can store and send back: no unpaired UTF-16 surrogates.

JSON may spell a lone surrogate (`"x\\udfff"`) and Python's `json` and YAML parsers turn it into
a `str` that cannot be encoded as UTF-8, so the database driver, and later the answer's
rendering, would fail on it. Every parsed document is checked here first, and the request is
refused naming the field that holds one.
"""

from __future__ import annotations

import re
from typing import Any

from broker.errors import InvalidInputError

_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
SURROGATE_PROBLEM = "contains an unpaired UTF-16 surrogate (such as \\udfff), which is not valid Unicode text"


def may_hold_surrogates(raw: bytes | str) -> bool:
    """Whether JSON text spells a surrogate at all: when it does not, no walk is needed."""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    return _SURROGATE_ESCAPE.search(data) is not None


def _bad(text: str) -> bool:
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def unpaired_surrogate_path(value: Any) -> tuple[str, ...] | None:
    """The path (keys and list indices) of the first string or key with an unpaired surrogate."""
    stack: list[tuple[Any, tuple[str, ...]]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            if _bad(item):
                return path
        elif isinstance(item, dict):
            for key, child in item.items():
                if isinstance(key, str) and _bad(key):
                    return (*path, key.encode("utf-8", "backslashreplace").decode("ascii"))
                stack.append((child, (*path, str(key))))
        elif isinstance(item, list):
            stack.extend((child, (*path, str(index))) for index, child in enumerate(item))
    return None


def refuse_unpaired_surrogates(value: Any, field: str | None = None) -> None:
    """InvalidInputError naming the field (`field.inner.path`) when a string cannot be UTF-8."""
    path = unpaired_surrogate_path(value)
    if path is None:
        return
    name = ".".join((field, *path) if field else path) or "body"
    message = f"{name} {SURROGATE_PROBLEM}"  # names the field itself, as callers may regroup the errors
    raise InvalidInputError(message, {name: [message]})
