"""Pact publications and the content they point at."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Publication:
    """A consumer version's pact with one provider (the latest revision)."""

    id: int
    consumer_id: int
    consumer_name: str
    provider_id: int
    provider_name: str
    consumer_version_id: int
    consumer_version_number: str
    pact_version_id: int
    sha: str
    revision_number: int
    created_at: datetime
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class PactVersion:
    """One content between one consumer and one provider, whoever published it."""

    id: int
    consumer_id: int
    consumer_name: str
    provider_id: int
    provider_name: str
    sha: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Pact:
    """What a pact resource serves: a publication (when known) and the document."""

    pact_version: PactVersion
    document: dict[str, Any]
    publication: Publication | None
