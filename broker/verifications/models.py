"""A verification result: a provider version replayed one pact version's content."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Verification:
    id: int
    pact_version_id: int
    sha: str
    consumer_id: int
    consumer_name: str
    provider_id: int
    provider_name: str
    provider_version_id: int
    provider_version_number: str
    success: bool
    build_url: str | None
    test_results: Any
    verified_by: dict[str, Any] | None
    wip: bool
    pact_pending: bool | None
    consumer_version_selectors: Any
    created_at: datetime

    @property
    def number(self) -> int:
        return self.id
