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


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One error the comparator found: its code, and the interaction (description and provider
    state) it found it in."""

    code: str
    interaction: str
    state: str | None = None


@dataclass(frozen=True, slots=True)
class ContractVerdict:
    """A provider version's contract vouching for a pact, or not: a success needs the provider's
    self-verification to have succeeded and the pact to be compatible with the document.
    `compatible` is None when the pair was not compared (a failed self-verification decides)."""

    self_verified: bool
    compatible: bool | None
    compared_at: datetime | None
    mismatches: tuple[Mismatch, ...] = ()
    problem: str | None = None

    @property
    def success(self) -> bool:
        return self.self_verified and self.compatible is True


@dataclass(frozen=True)
class ContentThatMatters:
    """A document a new pact is judged against: its SHA (which names a compiled comparator) and
    whether the pact was compared with it already."""

    sha: str
    compared: bool
