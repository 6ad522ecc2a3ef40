"""Versions, branches and tags as the rest of the broker sees them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Version:
    id: int
    pacticipant_id: int
    pacticipant_name: str
    number: str
    build_url: str | None
    created_at: datetime
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class Branch:
    id: int
    pacticipant_id: int
    pacticipant_name: str
    name: str
    created_at: datetime
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class BranchVersion:
    branch: Branch
    version: Version
    created_at: datetime
    latest: bool


@dataclass(frozen=True, slots=True)
class Tag:
    name: str
    version: Version
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Reference:
    """A branch or tag name on a version, and whether that version is its newest."""

    name: str
    latest: bool


@dataclass(slots=True)
class VersionLabels:
    """Branches and tags of one version, loaded in bulk for decorating lists and matrix rows."""

    branches: list[Reference] = field(default_factory=list)
    tags: list[Reference] = field(default_factory=list)
