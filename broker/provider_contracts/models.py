"""Provider contracts and cross-contract results as the rest of the broker sees them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class SelfVerification:
    """The provider's evidence that it honours its document (e.g. a schemathesis report)."""

    success: bool | None
    content: str | None
    content_type: str | None
    format: str | None
    verifier: str | None
    verifier_version: str | None


@dataclass(frozen=True, slots=True)
class ProviderContract:
    id: int
    provider_id: int
    provider_name: str
    provider_version_id: int
    provider_version_number: str
    content_id: int
    sha: str
    content: str
    content_type: str
    specification: str
    self_verification: SelfVerification
    created_at: datetime
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class CrossContractResult:
    """One pact content compared with one document content."""

    pact_content_id: int
    contract_content_id: int
    success: bool
    results: list[dict[str, Any]]
    problem: str | None
    comparator_version: str
    created_at: datetime
