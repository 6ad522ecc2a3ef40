"""What the rest of the broker knows about a pacticipant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Pacticipant:
    id: int
    name: str
    display_name: str | None
    main_branch: str | None
    repository_url: str | None
    repository_name: str | None
    repository_namespace: str | None
    created_at: datetime
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class Label:
    name: str
    pacticipant_name: str
    created_at: datetime
