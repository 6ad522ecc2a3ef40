"""Environments and the versions deployed or released into them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from broker.versions.models import Version


@dataclass(frozen=True, slots=True)
class Environment:
    id: int
    uuid: str
    name: str
    display_name: str
    production: bool
    contacts: list[dict[str, Any]]
    created_at: datetime
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class DeployedVersion:
    id: int
    uuid: str
    version: Version
    environment: Environment
    target: str | None
    created_at: datetime
    undeployed_at: datetime | None

    @property
    def currently_deployed(self) -> bool:
        return self.undeployed_at is None


@dataclass(frozen=True, slots=True)
class ReleasedVersion:
    id: int
    uuid: str
    version: Version
    environment: Environment
    created_at: datetime
    updated_at: datetime | None
    support_ended_at: datetime | None

    @property
    def currently_supported(self) -> bool:
        return self.support_ended_at is None
