"""What changed since the previous published version of a pact: interactions added, removed
or changed, each changed one with a line diff of its JSON."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any

from broker.pacts.content import interaction_changes

MAX_DIFF_LINES = 400


@dataclass(frozen=True)
class Change:
    kind: str  # "added", "removed", "changed"
    description: str
    diff: list[str]


def _lines(interaction: dict[str, Any]) -> list[str]:
    shown = {key: value for key, value in interaction.items() if key != "_id"}
    return json.dumps(shown, indent=2, sort_keys=True, ensure_ascii=False).splitlines()


def changes(previous: dict[str, Any], current: dict[str, Any]) -> list[Change]:
    found = []
    for kind, before, after in interaction_changes(previous, current):
        description = str((after or before or {}).get("description", ""))
        diff: list[str] = []
        if before is not None and after is not None:
            diff = list(
                difflib.unified_diff(_lines(before), _lines(after), "previous", "this version", lineterm="", n=2)
            )
            diff = diff[2:MAX_DIFF_LINES]  # the ---/+++ header says nothing a person needs
        found.append(Change(kind, description, diff))
    return found
