"""An integration: a consumer and a provider that share pacts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Integration:
    consumer_id: int
    consumer_name: str
    provider_id: int
    provider_name: str
    created_at: datetime
    contract_data_updated_at: datetime | None
