"""The providers' OpenAPI documents the gate compares: the working tree's and a git ref's.

Both are rendered by the contracts' own generator (`solo60 services openapi`), never parsed from
a file someone may have forgotten to regenerate. A ref's contracts are taken out of git
(`git archive REF solo60/__init__.py solo60/contracts`) into a scratch folder and rendered in a
child Python that imports them from there, so a base whose models differ from the running code
is rendered as it was. The contracts import nothing outside `solo60/contracts` and pydantic,
which is what makes this safe.

Rendering costs a Python start and the models' schemas (about half a second), so documents are
kept in `.solo60/cache/contracts/` under a key that names exactly what they were rendered from:
the git tree of the ref's contracts, or the hash of the working tree's files, and pydantic's
version.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

CONTRACT_PATHS = ("solo60/__init__.py", "solo60/contracts")
CACHE_DIR = Path(".solo60") / "cache" / "contracts"
MAIN_BRANCHES = ("main", "origin/main", "master", "origin/master")

_RENDER = """
import json, sys
sys.path.insert(0, sys.argv[1])
import solo60.contracts as contracts
from solo60.contracts.openapi import openapi_document
assert contracts.__file__.startswith(sys.argv[1]), contracts.__file__
json.dump({c.service: openapi_document(c) for c in contracts.all_contracts()}, sys.stdout)
"""

Documents = dict[str, dict[str, Any]]


class DocumentsError(RuntimeError):
    """The documents cannot be rendered (an unknown ref, contracts that do not import); the message says why."""


def git(repo: Path, *arguments: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(repo), *arguments], capture_output=True, text=True, check=False)
    except OSError as problem:
        raise DocumentsError(f"cannot run git: {problem}") from None
    if done.returncode != 0:
        message = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"
        raise DocumentsError(f"git {' '.join(arguments)}: {message}")
    return done.stdout.strip()


def repository_root(start: Path) -> Path:
    return Path(git(start, "rev-parse", "--show-toplevel"))


def default_base(repo: Path) -> str:
    """The merge-base of HEAD with the main branch: what the change under review started from."""
    for branch in MAIN_BRANCHES:
        try:
            git(repo, "rev-parse", "--verify", "--quiet", f"{branch}^{{commit}}")
        except DocumentsError:
            continue
        return git(repo, "merge-base", "HEAD", branch)
    raise DocumentsError("no main branch (main, origin/main, master) to take the merge-base with; give --base REF")


def working_tree_documents(repo: Path) -> Documents:
    """The documents of the contracts as they are on disk in `repo` (committed or not)."""
    digest = hashlib.sha256()
    files = [repo / CONTRACT_PATHS[0], *sorted((repo / CONTRACT_PATHS[1]).rglob("*.py"))]
    for path in files:
        if not path.is_file():
            continue
        digest.update(path.relative_to(repo).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    key = f"files-{digest.hexdigest()[:40]}"
    cached = _cached(repo, key)
    if cached is not None:
        return cached
    documents = _render_here() if _imported_from(repo) else _render_in_child(repo)
    _store(repo, key, documents)
    return documents


def ref_documents(repo: Path, ref: str) -> tuple[Documents, str]:
    """The documents of the contracts at a git ref, and the commit the ref names."""
    commit = git(repo, "rev-parse", "--verify", f"{ref}^{{commit}}")
    tree = git(repo, "rev-parse", f"{commit}:{CONTRACT_PATHS[1]}")
    key = f"tree-{tree}"
    cached = _cached(repo, key)
    if cached is not None:
        return cached, commit
    archive = subprocess.run(
        ["git", "-C", str(repo), "archive", "--format=tar", commit, *CONTRACT_PATHS], capture_output=True, check=False
    )
    if archive.returncode != 0:
        raise DocumentsError(f"git archive {ref}: {archive.stderr.decode(errors='replace').strip()}")
    with tempfile.TemporaryDirectory(prefix="solo60-base-") as scratch:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(scratch, filter="data")
        documents = _render_in_child(Path(scratch))
    _store(repo, key, documents)
    return documents, commit


def _imported_from(repo: Path) -> bool:
    import solo60.contracts

    return Path(solo60.contracts.__file__).resolve().is_relative_to(repo.resolve())


def _render_here() -> Documents:
    from solo60.contracts import all_contracts
    from solo60.contracts.openapi import openapi_document

    return {contract.service: openapi_document(contract) for contract in all_contracts()}


def _render_in_child(root: Path) -> Documents:
    done = subprocess.run(
        [sys.executable, "-c", _RENDER, str(root.resolve())], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"
        raise DocumentsError(f"the contracts in {root} do not render: {last}")
    return dict(json.loads(done.stdout))


@cache
def _renderer() -> str:
    """What else decides the rendering: pydantic's version (read from its metadata: importing
    pydantic would cost the command a quarter of its start-up)."""
    return f"pydantic{version('pydantic')}"


def _cache_file(repo: Path, key: str) -> Path:
    return repo / CACHE_DIR / f"{key}-{_renderer()}.json"


def _cached(repo: Path, key: str) -> Documents | None:
    path = _cache_file(repo, key)
    try:
        return dict(json.loads(path.read_text()))
    except (OSError, ValueError):
        return None


def _store(repo: Path, key: str, documents: Documents) -> None:
    from solo60.harness.made.pact_files import write_atomically

    path = _cache_file(repo, key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, json.dumps(documents))
    except OSError:
        pass  # a read-only checkout still gets its answer, only slower next time
