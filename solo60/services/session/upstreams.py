"""The services the session flows call, each through its typed client when its URL is configured.

The session service must start alone (its own tests, contract verification), so a missing
`<NAME>_SERVICE_URL` is a warning at start, and a route that needs that service answers 503
naming the variable instead of failing later.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from solo60.clients import (
    ClientConfig,
    ConfigurationError,
    GymClient,
    PaymentClient,
    ServiceClient,
    UserClient,
)
from solo60.services.kit import DependencyUnavailable, ServiceSettings

logger = logging.getLogger("solo60.services.session")

C = TypeVar("C", bound=ServiceClient)

CLIENTS: Mapping[str, type[ServiceClient]] = {
    "user": UserClient,
    "gym": GymClient,
    "payment": PaymentClient,
}


@dataclass
class Upstreams:
    """One client per configured target; `missing` says why the others are not there."""

    clients: dict[str, ServiceClient] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)

    @classmethod
    def connect(cls, settings: ServiceSettings) -> Upstreams:
        upstreams = cls()
        for target, client_class in CLIENTS.items():
            try:
                config = ClientConfig.from_env(target, caller="session", environ=settings.extra)
            except ConfigurationError as error:
                upstreams.missing[target] = str(error)
                logger.warning("the session flows that call the %s service answer 503: %s", target, error)
                continue
            upstreams.clients[target] = client_class(config)
        return upstreams

    def require(self, *targets: str) -> None:
        """Refuse the call up front (503) when a service it needs is not configured."""
        reasons = [self.missing[target] for target in targets if target in self.missing]
        if reasons:
            raise DependencyUnavailable(" ".join(reasons))

    @property
    def users(self) -> UserClient:
        return self._client("user", UserClient)

    @property
    def gyms(self) -> GymClient:
        return self._client("gym", GymClient)

    @property
    def payments(self) -> PaymentClient:
        return self._client("payment", PaymentClient)

    def _client(self, target: str, kind: type[C]) -> C:
        self.require(target)
        client = self.clients[target]
        assert isinstance(client, kind)
        return client

    async def aclose(self) -> None:
        for client in self.clients.values():
            await client.aclose()
