"""What a service is made of: its contract, its route implementations, storage and states.

Every service package exports one `ServiceDefinition`; knowing one service's shape means
knowing all seven.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

import sqlalchemy as sa

from solo60.contracts.route import Contract, Route
from solo60.services.kit.binding import Handler
from solo60.services.kit.database import Database
from solo60.services.kit.events.provider_messages import ProviderMessages
from solo60.services.kit.provider_states import ProviderStates
from solo60.services.kit.settings import ServiceSettings

F = TypeVar("F", bound=Callable[..., Any])


class Runtime:
    """The resources a running service's handlers share; services subclass it to add theirs."""

    def __init__(self, settings: ServiceSettings, db: Database) -> None:
        self.settings = settings
        self.db = db

    async def start(self) -> None:
        """Open connections and start background work, after migrations ran."""

    async def stop(self) -> None:
        """Release what `start` opened."""


def implements(route: Route) -> Callable[[F], F]:
    """Marks a method of `ServiceRoutes` as the implementation of a contract route."""

    def mark(function: F) -> F:
        function.__solo60_route__ = route  # type: ignore[attr-defined]
        return function

    return mark


class ServiceRoutes:
    """The implementations of a contract's routes, one `@implements` method per route."""

    contract: ClassVar[type[Contract]]

    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime

    def handlers(self) -> dict[Route, Handler]:
        """Every route of the contract with its bound method; a missing or extra one fails at start."""
        found: dict[Route, Handler] = {}
        for name in dir(type(self)):
            route = getattr(getattr(type(self), name), "__solo60_route__", None)
            if route is None:
                continue
            if route.service != self.contract.service:
                raise TypeError(f"{type(self).__name__}.{name} implements {route!r} of another contract")
            if route in found:
                raise TypeError(f"{route!r} is implemented twice in {type(self).__name__}")
            found[route] = getattr(self, name)
        missing = [route for route in self.contract.routes() if route not in found]
        if missing:
            raise TypeError(f"{type(self).__name__} does not implement {', '.join(map(repr, missing))}")
        return found


@dataclass(frozen=True)
class ServiceDefinition:
    """Everything needed to run, document and verify one service."""

    name: str
    contract: type[Contract]
    routes: type[ServiceRoutes]
    metadata: sa.MetaData
    migrations: str
    states: ProviderStates
    runtime: Callable[[ServiceSettings, Database], Runtime] = Runtime
    messages: ProviderMessages | None = None
    """The domain events it produces, buildable for message-pact verification (`kit/events/provider_messages.py`)."""

    def database(self, settings: ServiceSettings) -> Database:
        return Database(
            settings.resolved_database_url(),
            migrations=self.migrations,
            version_table=f"{self.name}_alembic_version",
            pool_size=settings.database_pool_size,
        )
