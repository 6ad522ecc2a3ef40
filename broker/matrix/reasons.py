"""Why a can-i-deploy verdict is what it is: one small value per reason, text rendered at the edge.

`level` is how the official broker classifies each reason in its notices. Rows and selectors a
query ignores give no reason at all, as in the official broker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from broker.matrix.selectors import ResolvedSelector
from broker.provider_contracts.models import ContractVerdict


@dataclass(frozen=True)
class Reason:
    level: ClassVar[str] = "info"


@dataclass(frozen=True)
class Successful(Reason):
    """Every considered row is a successful verification."""

    level: ClassVar[str] = "success"


@dataclass(frozen=True)
class NoDependenciesMissing(Reason):
    """No rows at all, and nothing required is missing."""

    level: ClassVar[str] = "success"


@dataclass(frozen=True)
class SpecifiedVersionDoesNotExist(Reason):
    selector: ResolvedSelector
    level: ClassVar[str] = "error"


@dataclass(frozen=True)
class VerificationFailed(Reason):
    consumer: ResolvedSelector
    provider: ResolvedSelector
    level: ClassVar[str] = "error"


@dataclass(frozen=True)
class CrossContractComparisonFailed(Reason):
    """The provider version's contract does not vouch for the pact: its self-verification
    failed, or the pact is incompatible with the document (`verdict` says which, and where)."""

    consumer: ResolvedSelector
    provider: ResolvedSelector
    verdict: ContractVerdict
    level: ClassVar[str] = "error"


@dataclass(frozen=True)
class PactNotEverVerifiedByProvider(Reason):
    consumer: ResolvedSelector
    provider: ResolvedSelector
    level: ClassVar[str] = "error"


@dataclass(frozen=True)
class PactNotVerifiedByRequiredProviderVersion(Reason):
    consumer: ResolvedSelector
    provider: ResolvedSelector
    level: ClassVar[str] = "error"


@dataclass(frozen=True)
class IgnoreSelectorDoesNotExist(Reason):
    selector: ResolvedSelector
    level: ClassVar[str] = "warning"


@dataclass(frozen=True)
class NoEnvironmentSpecified(Reason):
    level: ClassVar[str] = "warning"


@dataclass(frozen=True)
class SelectorWithoutPacticipantVersionNumberSpecified(Reason):
    level: ClassVar[str] = "warning"
