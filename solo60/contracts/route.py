"""Routes and contracts: the Python counterpart of the seed's ts-rest `contract({...})`.

A contract class declares each route of one service once, as a `Route` attribute. The
providers bind their HTTP endpoints from these objects, the OpenAPI documents and HTML docs
are rendered from them, and `solo60 codegen` writes the typed clients from them: a change to
a route is a change to one file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal
from urllib.parse import quote

from pydantic import BaseModel, Field, create_model
from pydantic.alias_generators import to_snake

from solo60.contracts.errors import ErrorCode
from solo60.contracts.models import Id, PathModel

Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]

_PARAM = re.compile(r"\{(\w+)\}")
_RETRY_SAFE_METHODS = {"GET", "PUT", "DELETE"}


@dataclass(frozen=True)
class Link:
    """An OpenAPI link from a response of this route to another operation of the same service."""

    name: str
    operation: str
    parameters: Mapping[str, str]
    status: int | None = None
    description: str = ""


@dataclass(eq=False)
class Route:
    """One operation: its method and path, its input models, and a response model per status."""

    method: Method
    path: str
    summary: str
    responses: Mapping[int, type[BaseModel] | None]
    description: str = ""
    path_params: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    errors: Iterable[ErrorCode] = ()
    idempotent: bool | None = None
    idempotency_key: bool = False
    calls_upstream: bool = False
    """Whether the route calls other services (documentation; every route may answer 503)."""
    links: Iterable[Link] = ()
    tags: Iterable[str] = ()
    callers: Iterable[str] = ()
    """The only services that may call the route (any other is answered 403 `FORBIDDEN`); empty: any."""
    name: str = field(default="", init=False)
    service: str = field(default="", init=False)

    def __post_init__(self) -> None:
        self.errors = tuple(self.errors)
        self.links = tuple(self.links)
        self.tags = tuple(self.tags)
        self.callers = tuple(self.callers)
        if self.idempotent is None:
            self.idempotent = self.method in _RETRY_SAFE_METHODS
        if not any(200 <= status < 300 for status in self.responses):
            raise ValueError(f"route {self.method} {self.path} declares no success response")
        if self.path_params is None and self.path_names:
            self.path_params = _path_model_from_template(self.path)

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    # -- what the binding, the docs and the code generator read ------------------------------

    @property
    def path_names(self) -> list[str]:
        """The `{name}` placeholders of the path template, in order."""
        return _PARAM.findall(self.path)

    @property
    def operation_id(self) -> str:
        return self.name

    @property
    def success_status(self) -> int:
        return min(status for status in self.responses if 200 <= status < 300)

    @property
    def retry_safe(self) -> bool:
        """Whether a client may resend the call after a failure without doubling its effect."""
        return bool(self.idempotent) or self.idempotency_key

    @property
    def documented_errors(self) -> tuple[ErrorCode, ...]:
        """Every error code this route may answer with, conventions first."""
        codes: list[ErrorCode] = []
        if self.has_input:
            codes.append(ErrorCode.VALIDATION_ERROR)
        codes.append(ErrorCode.UNAUTHORIZED)
        if self.callers:
            codes.append(ErrorCode.FORBIDDEN)
        if self.body is not None:
            codes += [ErrorCode.PAYLOAD_TOO_LARGE, ErrorCode.UNSUPPORTED_MEDIA_TYPE]
        if self.idempotency_key:
            codes.append(ErrorCode.IDEMPOTENCY_KEY_REUSED)
        codes.append(ErrorCode.RATE_LIMITED)
        codes.append(ErrorCode.UPSTREAM_UNAVAILABLE)  # another service, or the service's own database
        for code in self.errors:
            if code not in codes:
                codes.append(code)
        return tuple(sorted(codes, key=lambda code: code.status))

    @property
    def has_input(self) -> bool:
        return any((self.path_params, self.query, self.body, self.idempotency_key))

    def response_model(self, status: int) -> type[BaseModel] | None:
        return self.responses[status]

    def render_path(self, params: Mapping[str, Any]) -> str:
        """The concrete path with each placeholder percent-encoded as one segment."""

        def substitute(match: re.Match[str]) -> str:
            return quote(str(params[match.group(1)]), safe="")

        return _PARAM.sub(substitute, self.path)

    def __repr__(self) -> str:
        return f"<Route {self.service}.{self.name}: {self.method} {self.path}>"


class Contract:
    """A service's internal API: subclass it and declare each route as a class attribute."""

    service: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str] = ""
    version: ClassVar[str] = "1.0.0"
    _routes: ClassVar[dict[str, Route]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._routes = {name: value for name, value in vars(cls).items() if isinstance(value, Route)}
        for route in cls._routes.values():
            route.service = cls.service
        for route in cls._routes.values():
            for link in route.links:
                if link.operation not in cls._routes:
                    raise ValueError(f"{route!r} links to unknown operation {link.operation!r}")

    def __init__(self) -> None:  # pragma: no cover - contracts are used as classes
        raise TypeError("a contract is a declaration; use the class itself")

    @classmethod
    def routes(cls) -> tuple[Route, ...]:
        return tuple(cls._routes.values())

    @classmethod
    def route(cls, name: str) -> Route:
        try:
            return cls._routes[name]
        except KeyError:
            raise KeyError(f"{cls.service} contract has no route {name!r}") from None


def _path_model_from_template(path: str) -> type[BaseModel]:
    """Path parameters default to opaque ids: `{userId}` becomes `user_id: Id` (alias `userId`)."""
    fields: dict[str, Any] = {to_snake(name): (Id, Field(alias=name)) for name in _PARAM.findall(path)}
    title = "".join(part.capitalize() for part in re.split(r"\W+", path) if part and "{" not in part)
    return create_model(f"{title}PathParams", __base__=PathModel, **fields)
