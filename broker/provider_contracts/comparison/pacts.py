"""Reading a pact (specification V2, V3 or V4) into the HTTP interactions the steps compare.

Headers are flattened to one string per name (several values joined by a comma), query values
to a list per name, and V4 bodies decoded (`encoded: false`, `"JSON"`, or base64 text). Messages
and other non-HTTP interactions are not HTTP interactions: an OpenAPI document says nothing
about them, and the comparator reports each as unchecked (`message_interactions`).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from broker.provider_contracts.comparison.errors import PactError


class _Absent:
    """A body the interaction does not have (unlike a body that is JSON `null`)."""

    def __repr__(self) -> str:
        return "ABSENT"

    def __bool__(self) -> bool:
        return False


ABSENT: Any = _Absent()


@dataclass(frozen=True, slots=True)
class HttpInteraction:
    index: int
    description: str | None
    state: str
    method: str
    path: str
    query: dict[str, list[str]]
    raw_query: Any
    request_headers: dict[str, str]  # as written in the pact (flattened)
    request_body: Any
    status: int
    response_headers: dict[str, str]
    response_body: Any

    @property
    def expects_success(self) -> bool:
        """Security and request bodies are only checked for requests the provider should accept."""
        return self.status < 400


def specification_version(pact: dict[str, Any]) -> int:
    metadata: dict[str, Any] = pact["metadata"] if isinstance(pact.get("metadata"), dict) else {}

    def nested(key: str) -> Any:
        value = metadata.get(key)
        return value.get("version") if isinstance(value, dict) else None

    for candidate in (
        nested("pactSpecification"),
        metadata.get("pactSpecificationVersion"),
        nested("pact-specification"),
    ):
        if isinstance(candidate, str) and candidate[:1].isdigit():
            return int(candidate.split(".")[0])
    return 2


def http_interactions(pact: Any, name: str = "the pact") -> list[HttpInteraction]:
    """The pact's HTTP interactions in file order (their index is their position in the file)."""
    if not isinstance(pact, dict) or not (
        isinstance(pact.get("interactions"), list)
        or ("interactions" not in pact and isinstance(pact.get("messages"), list))
    ):
        raise PactError(f"{name} is not a pact (expected an object with an 'interactions' list)")
    v4 = specification_version(pact) >= 4
    found = []
    for index, raw in enumerate(pact.get("interactions", [])):
        if not isinstance(raw, dict):
            continue
        kind = raw.get("type")
        if kind is not None and not (isinstance(kind, str) and kind.lower() == "synchronous/http"):
            continue
        found.append(_interaction(raw, index, v4, name))
    return found


@dataclass(frozen=True)
class MessageInteraction:
    """A non-HTTP interaction (a V4 message, a V3 `messages` entry): where it is and what it says."""

    index: int
    kind: str
    description: str | None
    state: str
    location: str


def message_interactions(pact: Any) -> list[MessageInteraction]:
    """The pact's interactions that are not HTTP, in file order."""
    found = []
    if not isinstance(pact, dict):
        return found
    for index, raw in enumerate(pact.get("interactions") or []):
        kind = raw.get("type") if isinstance(raw, dict) else None
        if isinstance(kind, str) and kind.lower() != "synchronous/http":
            found.append(_message(raw, index, kind, f"[root].interactions[{index}]"))
    if "interactions" not in pact:
        for index, raw in enumerate(pact.get("messages") or []):
            if isinstance(raw, dict):
                found.append(_message(raw, index, "Asynchronous/Messages", f"[root].messages[{index}]"))
    return found


def _message(raw: dict[str, Any], index: int, kind: str, location: str) -> MessageInteraction:
    states = raw.get("providerStates") or ([{"name": raw["providerState"]}] if raw.get("providerState") else [])
    state = ", ".join(str(item.get("name")) for item in states if isinstance(item, dict)) or "[none]"
    description = raw.get("description")
    return MessageInteraction(index, kind, description if isinstance(description, str) else None, state, location)


def _interaction(raw: dict[str, Any], index: int, v4: bool, name: str) -> HttpInteraction:
    request, response = raw.get("request"), raw.get("response")
    where = f"{name}: interaction {index} ({raw.get('description')!r})"
    if not isinstance(request, dict) or not isinstance(response, dict):
        raise PactError(f"{where} needs a 'request' and a 'response' object")
    method, path, status = request.get("method"), request.get("path"), response.get("status")
    if not isinstance(method, str) or not isinstance(path, str):
        raise PactError(f"{where} needs a request 'method' and 'path' as strings")
    if not isinstance(status, int) or isinstance(status, bool):
        raise PactError(f"{where} needs a response 'status' number")
    raw_query = request.get("query")
    return HttpInteraction(
        index=index,
        description=raw.get("description") if isinstance(raw.get("description"), str) else None,
        state=_state(raw),
        method=method,
        path=path,
        query=_query(raw_query, where),
        raw_query=raw_query,
        request_headers=_headers(request.get("headers"), where),
        request_body=_body(request, v4),
        status=status,
        response_headers=_headers(response.get("headers"), where),
        response_body=_body(response, v4),
    )


def _state(raw: dict[str, Any]) -> str:
    if isinstance(raw.get("providerState"), str) and raw["providerState"]:
        return raw["providerState"]
    states = raw.get("providerStates")
    if isinstance(states, list):
        names = [state["name"] for state in states if isinstance(state, dict) and isinstance(state.get("name"), str)]
        if names:
            return ", ".join(names)
    return "[none]"


def _clean(value: str) -> str:
    return value.replace("\r", "").replace("\n", "").replace("\0", "")


def _headers(raw: Any, where: str) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise PactError(f"{where} has headers that are not an object")
    flat = {}
    for key, value in raw.items():
        if isinstance(value, list):
            flat[key] = ",".join(_clean(str(item)) for item in value)
        else:
            flat[key] = _clean(str(value))
    return flat


def _query(raw: Any, where: str) -> dict[str, list[str]]:
    if raw is None or raw == "":
        return {}
    if isinstance(raw, str):
        query: dict[str, list[str]] = {}
        for key, value in parse_qsl(raw, keep_blank_values=True):
            query.setdefault(key, []).append(value)
        return query
    if not isinstance(raw, dict):
        raise PactError(f"{where} has a query that is neither a string nor an object")
    # V3/V4: name -> list of values, flattened the way the reference comparator does ("a,b")
    return {
        key: [",".join(str(item) for item in value)] if isinstance(value, list) else [str(value)]
        for key, value in raw.items()
    }


def _body(side: dict[str, Any], v4: bool) -> Any:
    if "body" not in side:
        return ABSENT
    body = side["body"]
    if not v4:
        return body
    if not body:
        return ABSENT
    if not isinstance(body, dict):
        return body
    content, encoded = body.get("content", ""), body.get("encoded")
    if not encoded:
        return content
    try:
        if isinstance(encoded, str) and encoded.upper() == "JSON":
            return json.loads(content)
        return base64.b64decode(content).decode("utf-8")
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return content
