"""Keeping credentials out of webhook responses and execution logs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "**********"
_SENSITIVE = re.compile(r"authorization|token|password|secret|api[-_]?key|cookie|credential", re.IGNORECASE)


def is_sensitive(name: str) -> bool:
    return bool(_SENSITIVE.search(name))


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {name: (MASK if is_sensitive(name) else value) for name, value in headers.items()}


def redact_url(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:{MASK}@{host}" if ":" in userinfo else f"{user}@{host}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(key, MASK if is_sensitive(key) else value) for key, value in pairs], safe="*")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact_text(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, MASK)
    return text
