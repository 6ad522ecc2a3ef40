"""The version and branch a pact or a verification result is published with: git's, unless given."""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterable
from pathlib import Path

UNVERSIONED = "0.0.0-local"


def _git(*arguments: str) -> str | None:
    try:
        result = subprocess.run(["git", *arguments], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() if result.returncode == 0 and result.stdout.strip() else None


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
    branch = _git("rev-parse", "--abbrev-ref", "HEAD")
    return branch if branch and branch != "HEAD" else "main"
