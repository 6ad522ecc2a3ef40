"""Rack-style nested query strings: `q[][pacticipant]=A&q[][version]=1&q[][pacticipant]=B`.

The official clients build matrix queries this way, and the broker encodes pact metadata the
same way. A new array element starts when a key already present in the last element appears
again, exactly as `Rack::Utils.parse_nested_query` does. The flat form `q[]pacticipant=A` is
accepted too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, quote

MAX_WHOLE_NUMBER_DIGITS = 18
"""Enough for any page, size, limit or id, small enough for a 64-bit column, and far below the
4,300 digits past which Python's `int()` raises instead of parsing."""

_ARRAY_OF_HASHES = re.compile(r"^(?P<name>[^\[\]]+)\[\](?:\[(?P<key>[^\[\]]*)\]|(?P<flat>[^\[\]]+))$")
_ARRAY = re.compile(r"^(?P<name>[^\[\]]+)\[\]$")


class NestedQuery:
    """Scalars, arrays (`name[]=x`) and arrays of objects (`name[][key]=x`) from one query string."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self.scalars: dict[str, str] = {}
        self.arrays: dict[str, list[str]] = {}
        self.objects: dict[str, list[dict[str, str]]] = {}
        for raw_key, value in pairs:
            match = _ARRAY_OF_HASHES.match(raw_key)
            if match:
                key = match.group("key") if match.group("key") is not None else match.group("flat")
                items = self.objects.setdefault(match.group("name"), [])
                if not items or key in items[-1]:
                    items.append({})
                items[-1][key] = value
                continue
            match = _ARRAY.match(raw_key)
            if match:
                self.arrays.setdefault(match.group("name"), []).append(value)
                continue
            self.scalars[raw_key] = value

    @classmethod
    def parse(cls, query_string: str) -> NestedQuery:
        return cls(parse_qsl(query_string, keep_blank_values=True))


def whole_number(raw: str | None) -> int | None:
    """The value of a decimal whole number in ASCII digits (leading zeros allowed), or None for
    anything else, including a number of more than 18 significant digits."""
    if raw is None or not (raw.isascii() and raw.isdigit()):  # isdigit alone takes "²", which int() refuses
        return None
    significant = raw.lstrip("0")
    if len(significant) > MAX_WHOLE_NUMBER_DIGITS:
        return None
    return int(significant or "0")


def encode_objects(name: str, items: Iterable[dict[str, str]], scalars: dict[str, str] | None = None) -> str:
    parts = [
        f"{name}[][{quote(key, safe='')}]={quote(value, safe='')}" for item in items for key, value in item.items()
    ]
    parts.extend(f"{quote(key, safe='')}={quote(value, safe='')}" for key, value in (scalars or {}).items())
    return "&".join(parts)
