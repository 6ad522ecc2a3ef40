"""Content negotiation between what a pact sends or expects and what the document declares.

The rules are the reference comparator's, tried in order: an exact match, then ignoring media
type parameters, then ignoring vendor prefixes (`application/vnd.x+json` ~ `application/json`),
then wildcards in the document (`application/*`, `*/*`), then wildcards in the pact.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from broker.provider_contracts.comparison.pacts import ABSENT

_QUALITY = re.compile(r";q=([01]\.?\d*)")

STANDARD_REQUEST_HEADERS = frozenset(
    [
        "accept",
        "accept-charset",
        "accept-datetime",
        "accept-encoding",
        "accept-language",
        "authorization",
        "cache-control",
        "connection",
        "content-length",
        "content-md5",
        "content-type",
        "cookie",
        "date",
        "expect",
        "forwarded",
        "from",
        "host",
        "if-match",
        "if-modified-since",
        "if-none-match",
        "if-range",
        "if-unmodified-since",
        "max-forwards",
        "origin",
        "pragma",
        "proxy-authorization",
        "range",
        "referer",
        "te",
        "upgrade",
        "user-agent",
        "via",
        "warning",
    ]
)

# in the reference comparator's order, which is the order its warnings come in
STANDARD_RESPONSE_HEADERS = tuple(
    [
        "access-control-allow-origin",
        "accept-patch",
        "accept-ranges",
        "age",
        "allow",
        "alt-svc",
        "cache-control",
        "connection",
        "content-disposition",
        "content-encoding",
        "content-language",
        "content-length",
        "content-location",
        "content-md5",
        "content-range",
        "date",
        "etag",
        "expires",
        "last-modified",
        "link",
        "location",
        "p3p",
        "pragma",
        "proxy-authenticate",
        "public-key-pins",
        "refresh",
        "retry-after",
        "server",
        "set-cookie",
        "status",
        "strict-transport-security",
        "trailer",
        "transfer-encoding",
        "tsv",
        "upgrade",
        "vary",
        "via",
        "warning",
        "www-authenticate",
        "x-frame-options",
    ]
)


def _quality(media: str) -> float:
    found = _QUALITY.search(media)
    try:
        return float(found.group(1)) if found else 1.0
    except ValueError:
        return 1.0


def _main_type(media: str) -> str:
    return media.split("/")[0]


def _subtype(media: str) -> str | None:
    parts = media.split("/")
    return parts[1].split("+")[-1] if len(parts) > 1 else None


def find_matching_type(requested: str, available: Sequence[str]) -> str | None:
    """The declared media type that `requested` (a Content-Type or an Accept list) matches."""
    if not available:
        return None
    accept = sorted(("".join(part.split()).lower() for part in requested.split(",")), key=_quality, reverse=True)
    accept = [_QUALITY.sub("", item, count=1) for item in accept]
    offered = ["".join(item.split()).lower() for item in available]
    for wanted in accept:
        if wanted in offered:
            return available[offered.index(wanted)]
    accept = [item.split(";")[0] for item in accept]
    offered = [item.split(";")[0] for item in offered]
    for wanted in accept:
        if wanted in offered:
            return available[offered.index(wanted)]
    for wanted in accept:
        for position, item in enumerate(offered):
            if _main_type(item) == _main_type(wanted) and _subtype(item) == _subtype(wanted):
                return available[position]
    for wanted in accept:
        for position, item in enumerate(offered):
            if _subtype(item) == "*" and _main_type(item) == _main_type(wanted):
                return available[position]
    if "*/*" in offered:
        return "*/*"
    for wanted in accept:
        for position, item in enumerate(offered):
            if _subtype(wanted) == "*" and _main_type(item) == _main_type(wanted):
                return available[position]
    if "*/*" in accept:
        return available[0]
    return None


VALIDATABLE = ("application/json", "application/x-www-form-urlencoded", "multipart/form-data")


def body_status(content_type: str, body: object) -> str:
    """ "validate" for JSON and form bodies, "warn" for a body of another type, else "skip"."""
    if find_matching_type(content_type, VALIDATABLE):
        return "validate"
    return "warn" if body is not ABSENT else "skip"
