"""Routing on the raw request path, one segment at a time.

Starlette decodes `%2F` before routing, which would split a branch named `feat/x` (sent by the
clients as `feat%2Fx`) into two segments. Here the raw path is split on `/` first and each
segment is percent-decoded afterwards, so a name may contain any character. Literal segments
win over placeholders (`/pacticipants/{p}/latest-version` before `/pacticipants/{p}/{...}`).

Each operation also carries what the OpenAPI document says about it, so the document is
generated from the same table that routes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_to_bytes

from broker.api.responses import HalResponse
from broker.errors import InvalidInputError, MethodNotAllowedError, NotFoundError

if TYPE_CHECKING:
    from broker.api.requests import BrokerRequest


class Access(Enum):
    """Who may call an operation once auth is configured."""

    PUBLIC = "public"
    READ = "read"
    READ_POST = "read-post"  # a POST a read-only user may make (pacts for verification)
    WRITE = "write"
    BADGE = "badge"  # a read that needs no credentials when public badge access is enabled


@dataclass(frozen=True)
class QueryParameter:
    name: str
    description: str
    schema: dict[str, Any] = field(default_factory=lambda: {"type": "string"})
    required: bool = False


Handler = Callable[["BrokerRequest"], "HalResponse"]


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    handler: Handler
    summary: str
    tag: str
    access: Access
    responses: dict[int, str]
    request_schema: dict[str, Any] | None = None
    request_required: bool = True
    query: tuple[QueryParameter, ...] = ()
    response_schema: dict[str, Any] | None = None
    transaction: str = "read"  # "read", "write" or "none"
    media_type: str = "application/hal+json"
    prepare: Callable[[BrokerRequest], Any] | None = None
    """Work that needs no database (decoding, parsing, hashing), done before the transaction
    begins so that a write holds SQLite's write lock only for the writing; the handler finds its
    result in `request.prepared`."""

    @property
    def operation_id(self) -> str:
        return self.handler.__name__


@dataclass
class _Node:
    literals: dict[str, _Node] = field(default_factory=dict)
    parameter: _Node | None = None
    parameter_name: str | None = None
    operations: dict[str, Operation] = field(default_factory=dict)
    template: str | None = None


@dataclass(frozen=True)
class Match:
    operation: Operation
    parameters: dict[str, str]


def split_template(template: str) -> list[str]:
    return [part for part in template.strip("/").split("/") if part] if template != "/" else []


def decode_segments(raw_path: bytes) -> list[str]:
    """Split first, decode second; a segment that is not UTF-8 is a client error. Empty segments
    (`/pacticipants/`, `//x`) are kept so that they match nothing."""
    if raw_path in (b"", b"/"):
        return []
    parts = raw_path.removeprefix(b"/").split(b"/")
    decoded = []
    for part in parts:
        try:
            decoded.append(unquote_to_bytes(part).decode("utf-8"))
        except UnicodeDecodeError:
            raise InvalidInputError("The path is not valid UTF-8", {"path": ["is not valid UTF-8"]}) from None
    return decoded


def allowed_methods(operations: dict[str, Operation]) -> list[str]:
    implied = ["HEAD"] if "GET" in operations else []
    return sorted([*operations, *implied, "OPTIONS"])


def _options_operation(node: _Node) -> Operation:
    allowed = ", ".join(allowed_methods(node.operations))

    def options(request: BrokerRequest) -> HalResponse:
        return HalResponse(200, None, {"Allow": allowed}, "text/plain;charset=utf-8", raw=b"")

    return Operation(
        method="OPTIONS",
        template=node.template or "/",
        handler=options,
        summary="The methods this resource allows",
        tag="Broker",
        access=Access.READ,
        responses={200: "OK"},
        transaction="none",
    )


class Router:
    def __init__(self) -> None:
        self._root = _Node()
        self.operations: list[Operation] = []

    def add(self, operation: Operation) -> None:
        node = self._root
        for part in split_template(operation.template):
            if part.startswith("{") and part.endswith("}"):
                name = part[1:-1]
                if node.parameter is None:
                    node.parameter = _Node()
                    node.parameter_name = name
                elif node.parameter_name != name:
                    raise ValueError(f"{operation.template}: conflicting placeholder {name} vs {node.parameter_name}")
                node = node.parameter
            else:
                node = node.literals.setdefault(part, _Node())
        if operation.method in node.operations:
            raise ValueError(f"duplicate route {operation.method} {operation.template}")
        node.operations[operation.method] = operation
        node.template = operation.template
        self.operations.append(operation)

    def route(
        self,
        method: str,
        template: str,
        *,
        summary: str,
        tag: str,
        access: Access | None = None,
        responses: dict[int, str] | None = None,
        request_schema: dict[str, Any] | None = None,
        request_required: bool = True,
        query: tuple[QueryParameter, ...] = (),
        response_schema: dict[str, Any] | None = None,
        transaction: str | None = None,
        media_type: str = "application/hal+json",
        prepare: Callable[[BrokerRequest], Any] | None = None,
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            writes = method not in ("GET",)
            self.add(
                Operation(
                    method=method,
                    template=template,
                    handler=handler,
                    summary=summary,
                    tag=tag,
                    access=access or (Access.WRITE if writes else Access.READ),
                    responses=responses or {200: "OK"},
                    request_schema=request_schema,
                    request_required=request_required,
                    query=query,
                    response_schema=response_schema,
                    transaction=transaction or ("write" if writes else "read"),
                    media_type=media_type,
                    prepare=prepare,
                )
            )
            return handler

        return register

    def match(self, method: str, segments: list[str]) -> Match:
        """The operation for this method and path. Every resource also answers HEAD (as its GET,
        without the body) and OPTIONS (its methods in `Allow`), here rather than per route."""
        found = self._find(self._root, segments, 0, {})
        if found is None:
            raise NotFoundError("The requested resource was not found")
        node, parameters = found
        operation = node.operations.get("GET" if method == "HEAD" else method)
        if operation is None and method == "OPTIONS":
            operation = _options_operation(node)
        if operation is None:
            allowed = allowed_methods(node.operations)
            raise MethodNotAllowedError(f"Method {method} is not allowed here; allowed: {', '.join(allowed)}", allowed)
        return Match(operation, parameters)

    def _find(
        self, node: _Node, segments: list[str], index: int, parameters: dict[str, str]
    ) -> tuple[_Node, dict[str, str]] | None:
        if index == len(segments):
            return (node, parameters) if node.operations else None
        segment = segments[index]
        literal = node.literals.get(segment)
        if literal is not None:
            found = self._find(literal, segments, index + 1, parameters)
            if found is not None:
                return found
        if node.parameter is not None and node.parameter_name is not None and segment:
            return self._find(node.parameter, segments, index + 1, {**parameters, node.parameter_name: segment})
        return None
