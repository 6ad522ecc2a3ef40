"""Page or API on the same URL, decided as the official broker decides (`request_target.rb`).

The API answers when `Accept` names a JSON, CSV, YAML or plain-text type, is missing, is the
bare `*/*` that curl sends, or asks for an SVG (badges); anything else (a browser's
`text/html,...`) gets the page. The official clients always send a JSON type, so they never
see HTML.
"""

from __future__ import annotations

API_CONTENT_TYPES = (
    "application/hal+json",
    "application/problem+json",
    "application/json",
    "text/csv",
    "application/yaml",
    "text/plain",
)


def wants_page(headers: dict[str, str]) -> bool:
    """True when the request comes from a browser rather than an API client."""
    accept = headers.get("accept", "").strip().lower()
    if not accept or accept == "*/*" or "svg" in accept:
        return False
    if any(media in accept for media in API_CONTENT_TYPES):
        return False
    content_type = headers.get("content-type", "").lower()
    return not any(media in content_type for media in API_CONTENT_TYPES)
