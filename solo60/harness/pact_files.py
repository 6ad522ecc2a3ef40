"""Where pacts are written and how the files of parallel test workers become one pact per pair.

pact-python merges interactions into an existing file, and that merge races when several
pytest-xdist workers write the same pair (interactions were lost with `-n 8`). So each
worker writes into its own staging folder, and when the run ends the controller merges the
staged files into `pacts/<consumer>-<provider>.json`, replacing the pair's previous pact:
running `pytest consumers/` produces every pact afresh, with no interaction left over from
a renamed test.
"""

from __future__ import annotations

import json
import shutil
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


def staging_dir(pacts_dir: Path, run: str, worker: str) -> Path:
    return pacts_dir / STAGING / run / worker


def merge_staged(pacts_dir: Path, run: str) -> list[PactFile]:
    """Merge every worker's staged pacts of this run into one file per pair; remove the staging."""
    run_dir = pacts_dir / STAGING / run
    by_pair: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(run_dir.glob("*/*.json")):
        by_pair.setdefault(path.name, []).append(json.loads(path.read_text()))
    written = []
    for name, documents in sorted(by_pair.items()):
        merged = _merge(documents)
        target = pacts_dir / name
        target.write_text(json.dumps(merged, indent=2, sort_keys=True) + "\n")
        written.append(_describe(target, merged))
    shutil.rmtree(run_dir, ignore_errors=True)
    staging = pacts_dir / STAGING
    if staging.exists() and not any(staging.iterdir()):
        staging.rmdir()
    return written


def pact_files(pacts_dir: Path, *, provider: str | None = None, consumer: str | None = None) -> list[PactFile]:
    """The pacts in a directory, optionally only one provider's or one consumer's."""
    found = []
    for path in sorted(pacts_dir.glob("*.json")):
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


def _describe(path: Path, document: dict[str, Any]) -> PactFile:
    return PactFile(
        consumer=document["consumer"]["name"],
        provider=document["provider"]["name"],
        path=path,
        interactions=len(document.get("interactions", [])),
    )
