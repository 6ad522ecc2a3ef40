"""Matrix selectors before and after resolution, and how each describes itself in reasons."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UnresolvedSelector:
    """What the query said: a pacticipant and optionally which of its versions."""

    pacticipant_name: str
    version_number: str | None = None
    latest: bool = False
    tag: str | None = None
    branch: str | None = None
    main_branch: bool = False
    environment: str | None = None

    @property
    def only_pacticipant(self) -> bool:
        return not (
            self.version_number or self.latest or self.tag or self.branch or self.main_branch or self.environment
        )


@dataclass(frozen=True)
class ResolvedSelector:
    """A selector pinned to one version (or all versions, or a version that does not exist)."""

    pacticipant_id: int | None
    pacticipant_name: str
    version_id: int | None
    version_number: str | None
    version_exists: bool
    specified: bool
    ignore: bool = False
    latest: bool = False
    tag: str | None = None
    branch: str | None = None
    main_branch: bool = False
    environment: str | None = None
    one_of_many: bool = False

    @property
    def all_versions(self) -> bool:
        return self.version_exists and self.version_id is None

    @property
    def pacticipant_exists(self) -> bool:
        return self.pacticipant_id is not None

    @property
    def pacticipant_or_version_missing(self) -> bool:
        return not self.pacticipant_exists or not self.version_exists

    @property
    def specified_version_missing(self) -> bool:
        return self.specified and not self.version_exists

    def description(self) -> str:
        """How reasons name this selector (the official broker's wording)."""
        name = self.pacticipant_name
        number = self.version_number if self.version_exists else None
        if not self.pacticipant_exists:
            return f"any version of {name} (no such pacticipant exists)"
        if self.latest and self.tag:
            return f"the latest version of {name} with tag {self.tag} ({number or 'no such version exists'})"
        if self.latest and self.main_branch:
            return f"the latest version of {name} from the main branch ({number or 'no such version exists'})"
        if self.latest and self.branch:
            return f"the latest version of {name} from branch {self.branch} ({number or 'no such version exists'})"
        if self.latest:
            return f"the latest version of {name} ({number or 'no such version exists'})"
        if self.tag:
            return f"a version of {name} with tag {self.tag} ({number or 'no such version exists'})"
        if self.main_branch:
            if number:
                return f"a version of {name} from the main branch ({number})"
            return f"any version of {name} from the main branch (no versions exist for this branch)"
        if self.branch:
            if number:
                return f"a version of {name} from branch {self.branch} ({number})"
            return f"any version of {name} from branch {self.branch} (no versions exist for this branch)"
        if self.environment:
            if number:
                prefix = "one of the versions" if self.one_of_many else "the version"
                return f"{prefix} of {name} currently in {self.environment} ({number})"
            return (
                f"a version of {name} currently in {self.environment} "
                "(no version is currently recorded as deployed/released in this environment)"
            )
        if self.version_number and not self.version_exists:
            return f"version {self.version_number} of {name} (no such version exists)"
        if self.version_number:
            return f"version {self.version_number} of {name}"
        return f"any version of {name}"
