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
    """A selector pinned to one version (or all versions, or a version that does not exist).

    `original` is what the query said, for the rules that look at the question rather than the
    answer (was a version number given? only a name?); `None` for the stand-ins reasons use when
    no selector names a pacticipant.
    """

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
    original: UnresolvedSelector | None = None

    @classmethod
    def stand_in(cls, pacticipant_id: int, name: str, version_id: int | None, number: str | None) -> ResolvedSelector:
        """A pacticipant (or one of its versions) that no selector named, as reasons describe it."""
        return cls(pacticipant_id, name, version_id, number, True, False)

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

    @property
    def only_pacticipant_name(self) -> bool:
        """The query gave nothing but the name (a matrix browse, not a deployment question)."""
        return self.original is None or self.original.only_pacticipant

    @property
    def version_number_given(self) -> bool:
        return self.original is not None and self.original.version_number is not None

    def description(self) -> str:
        """How reasons name this selector, in the official broker's words and order of checks."""
        name = self.pacticipant_name
        number = self.version_number
        if self.latest and self.tag:
            return f"the latest version of {name} with tag {self.tag} ({number or 'no such version exists'})"
        if self.latest and self.main_branch and number is None:
            return f"the latest version of {name} from the main branch (no versions exist for this branch)"
        if self.main_branch and number is None:
            return f"any version of {name} from the main branch (no versions exist for this branch)"
        if self.latest and self.branch:
            return f"the latest version of {name} from branch {self.branch} ({number or 'no such version exists'})"
        if self.branch and number:
            prefix = "one of the versions" if self.one_of_many else "the version"
            return f"{prefix} of {name} from branch {self.branch} ({number})"
        if self.branch:
            return f"a version of {name} from branch {self.branch} (no such version exists)"
        if self.latest:
            return f"the latest version of {name} ({number or 'no such version exists'})"
        if self.tag:
            return f"a version of {name} with tag {self.tag} ({number or 'no such version exists'})"
        if self.environment and number:
            prefix = "one of the versions" if self.one_of_many else "the version"
            return f"{prefix} of {name} currently in {self.environment} ({number})"
        if self.environment:
            return (
                f"a version of {name} currently in {self.environment} "
                "(no version is currently recorded as deployed/released in this environment)"
            )
        if number and not self.version_exists:
            return f"version {number} of {name} (no such version exists)"
        if number:
            return f"version {number} of {name}"
        if not self.pacticipant_exists:
            return f"any version of {name} (no such pacticipant exists)"
        return f"any version of {name}"
