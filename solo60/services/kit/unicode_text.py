"""Unpaired UTF-16 surrogates in a JSON body: found and named, so the 400 says which field.

JSON may spell a lone surrogate (`"x\\udfff"`); pydantic refuses the whole document as malformed
JSON without saying where. Python's own parser keeps it, which lets this module walk to it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from solo60.contracts.errors import FieldError
from solo60.services.kit.errors import ValidationFailed

_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
PROBLEM = "contains an unpaired UTF-16 surrogate (such as \\udfff), which is not valid Unicode text"


def _unencodable(text: str) -> bool:
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def unpaired_surrogate_path(raw: bytes) -> list[str] | None:
    """The keys and indices leading to the first string (or key) with a lone surrogate, or None."""
    if _SURROGATE_ESCAPE.search(raw) is None:
        return None
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    stack: list[tuple[Any, list[str]]] = [(value, [])]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str) and _unencodable(item):
            return path
        if isinstance(item, dict):
            for key, child in item.items():
                if _unencodable(key):
                    return [*path, key.encode("utf-8", "backslashreplace").decode("ascii")]
                stack.append((child, [*path, key]))
        elif isinstance(item, list):
            stack.extend((child, [*path, str(index)]) for index, child in enumerate(item))
    return None


def refuse_unpaired_surrogates(raw: bytes, location: str = "body") -> None:
    """ValidationFailed naming the field (`body.name`) when the JSON text spells a lone surrogate."""
    path = unpaired_surrogate_path(raw)
    if path is None:
        return
    field = ".".join([location, *path])
    raise ValidationFailed(
        f"Invalid request: {field} {PROBLEM}.",
        details=[FieldError(field=field, message=PROBLEM, type="unpaired_surrogate")],
    )
