"""The version and branch a pact or a verification result is published with: as given, else git's.

Every entry point (the CLI's publish and verify, the pytest options, the pipeline) resolves
them here, once per run, so a consumer's pacts and a provider's results of one commit carry
the same version and branch whichever way they were published.
"""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

UNVERSIONED = "0.0.0-local"
DEFAULT_BRANCH = "main"


@dataclass(frozen=True)
class Revision:
    """What a pacticipant version is called in the broker: its version number and its branch."""

    version: str
    branch: str


def resolve_revision(version: str | None = None, branch: str | None = None, *, pacts: Iterable[Path] = ()) -> Revision:
    """`version` and `branch` where given; the rest from git (see `current_version`, `current_branch`)."""
    return Revision(version or current_version(pacts), branch or current_branch())


def current_version(pacts: Iterable[Path] = ()) -> str:
    """The commit SHA; with uncommitted changes, plus a digest of the pacts, so that different
    pact content is never published twice under one version (the broker would refuse it)."""
    sha = _git("rev-parse", "HEAD")
    if sha is None:
        return UNVERSIONED
    if not _git("status", "--porcelain", "--untracked-files=no"):
        return sha
    digest = hashlib.sha256()
    for path in sorted(Path(path) for path in pacts):
        digest.update(path.read_bytes())
    return f"{sha}+dirty.{digest.hexdigest()[:12]}"


def current_branch() -> str:
    """The checked-out branch; `main` on a detached HEAD or outside git."""
    branch = _git("rev-parse", "--abbrev-ref", "HEAD")
    return branch if branch and branch != "HEAD" else DEFAULT_BRANCH


def _git(*arguments: str) -> str | None:
    try:
        result = subprocess.run(["git", *arguments], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() if result.returncode == 0 and result.stdout.strip() else None
