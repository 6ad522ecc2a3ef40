"""Where pacts are written and how the files of parallel test workers become one pact per pair.

pact-python merges interactions into an existing file, and that merge races when several
pytest-xdist workers write the same pair (interactions were lost with `-n 8`). So each
worker writes into its own staging folder, and when the run ends the controller merges the
staged files of every pair the run made completely (`runs.py`) into
`pacts/<consumer>-<provider>.json`, replacing the pair's previous pact: a complete run
produces the pact afresh, with no interaction left over from a renamed test, and a partial
or failing run leaves it as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STAGING = ".staging"


@dataclass(frozen=True)
class PactFile:
    consumer: str
    provider: str
    path: Path
    interactions: int

    @property
    def pair(self) -> str:
        return f"{self.consumer} -> {self.provider}"


class PactMergeError(RuntimeError):
    """Two workers wrote different interactions under one description and provider state."""


def pact_file_name(consumer: str, provider: str) -> str:
    """The file pact-python writes a pair's pact to."""
    return f"{consumer}-{provider}.json"


def run_dir(pacts_dir: Path, run: str) -> Path:
    return pacts_dir / STAGING / run


def staging_dir(pacts_dir: Path, run: str, worker: str) -> Path:
    return run_dir(pacts_dir, run) / worker


def merge_staged(pacts_dir: Path, run: str, pairs: Collection[str] | None = None) -> list[PactFile]:
    """Merge the staged pacts of this run into one file per pair, only for the pact file names in
    `pairs` (every staged pair when None); remove the staging."""
    staged = run_dir(pacts_dir, run)
    by_pair: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(staged.glob("*/*.json")):
        if pairs is None or path.name in pairs:
            by_pair.setdefault(path.name, []).append(json.loads(path.read_text()))
    written = []
    for name, documents in sorted(by_pair.items()):
        merged = _merge(documents)
        target = pacts_dir / name
        write_atomically(target, json.dumps(merged, indent=2, sort_keys=True) + "\n")
        written.append(_describe(target, merged))
    shutil.rmtree(staged, ignore_errors=True)
    staging = pacts_dir / STAGING
    if staging.exists() and not any(staging.iterdir()):
        staging.rmdir()
    return written


def pact_files(pacts_dir: Path, *, provider: str | None = None, consumer: str | None = None) -> list[PactFile]:
    """The pacts in a directory, optionally only one provider's or one consumer's."""
    found = []
    for path in sorted(pacts_dir.glob("*.json")):
        if path.name.startswith("."):
            continue  # a file being written, or not a pact
        document = json.loads(path.read_text())
        described = _describe(path, document)
        if provider not in (None, described.provider) or consumer not in (None, described.consumer):
            continue
        found.append(described)
    return found


def interaction_key(interaction: dict[str, Any]) -> tuple[str, str]:
    states = json.dumps(interaction.get("providerStates", []), sort_keys=True)
    return interaction["description"], states


def _merge(documents: list[dict[str, Any]]) -> dict[str, Any]:
    merged = dict(documents[0])
    interactions: dict[tuple[str, str], dict[str, Any]] = {}
    for document in documents:
        for interaction in document.get("interactions", []):
            key = interaction_key(interaction)
            if key in interactions and interactions[key] != interaction:
                raise PactMergeError(f"two different interactions are both described as {key[0]!r}")
            interactions[key] = interaction
    merged["interactions"] = [interactions[key] for key in sorted(interactions)]
    return merged


def write_atomically(path: Path, text: str) -> None:
    """Write a whole file or nothing: a reader (or a crash) never sees half of it."""
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    try:
        temporary.write_text(text)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _describe(path: Path, document: dict[str, Any]) -> PactFile:
    return PactFile(
        consumer=document["consumer"]["name"],
        provider=document["provider"]["name"],
        path=path,
        interactions=len(document.get("interactions", [])),
    )
