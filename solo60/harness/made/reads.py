"""A pact's responses cut down to the fields the consumer's code read while its test drove it.

The contract test declares each response in full (the example the mock answers), the
consumer's code runs against the mock with its client recording what it reads
(`solo60.clients._reading`), and before the pact is kept each successful JSON response of the
test's interactions loses every field the code did not read, with its matching rules and
generators. A model the code serialised or compared as a whole keeps all its fields; a value
that is not a model (a free-form object, a list of strings) is kept whole once read.

So a pact says what its consumer uses, a provider may change anything else, and a consumer
that starts reading a new field gets it into its pact the next time its test runs.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from solo60.clients._reading import ReadLog

_RULE_PART = re.compile(r"\.([^.\[\]]+)|\['([^']+)'\]|\[(\*|\d+)\]")


@dataclass
class Reads:
    """The union of what the code read of the answers to one interaction."""

    read: set[str] = field(default_factory=set)
    whole: set[str] = field(default_factory=set)
    models: set[str] = field(default_factory=set)

    def add(self, log: ReadLog) -> None:
        self.read |= log.read
        self.whole |= log.whole
        self.models |= log.models

    def used(self, path: str) -> bool:
        """Whether the code read the field at `path`, something inside it, or a whole model around it."""
        if path in self.read or self.whole_at(path):
            return True
        return any(read.startswith((path + ".", path + "[]", path + "{}")) for read in self.read | self.whole)

    def whole_at(self, path: str) -> bool:
        return any(
            path == whole or path.startswith((whole + ".", whole + "[]", whole + "{}")) or whole == ""
            for whole in self.whole
        )


def reads_for(interaction: dict[str, Any], logs: Iterable[ReadLog], mock_urls: Collection[str]) -> Reads | None:
    """What the code read of the answers this interaction gave (from one of the mock servers), or None
    if no client parsed one."""
    request, response = interaction.get("request", {}), interaction.get("response", {})
    mocks = {(base.scheme, base.netloc) for base in map(urlsplit, mock_urls)}
    found = None
    for log in logs:
        url = urlsplit(log.url)
        if (url.scheme, url.netloc) not in mocks:
            continue
        if log.method.upper() != str(request.get("method", "")).upper() or url.path != request.get("path"):
            continue
        if log.status != response.get("status"):
            continue
        found = found or Reads()
        found.add(log)
    return found


def cut_to_reads(
    document: dict[str, Any], descriptions: Collection[str], logs: list[ReadLog], mock_urls: Collection[str]
) -> int:
    """Cut the responses of the named interactions in a V4 pact to what was read; how many were cut."""
    cut = 0
    for interaction in document.get("interactions", []):
        if interaction.get("description") not in descriptions:
            continue
        response = interaction.get("response") or {}
        body = response.get("body")
        if not (isinstance(body, dict) and isinstance(body.get("content"), dict | list)) or body.get("encoded"):
            continue
        if not 200 <= int(response.get("status", 0)) < 300:
            continue  # error bodies are the conventions' error body, read by the client itself
        reads = reads_for(interaction, logs, mock_urls)
        if reads is None:
            continue
        body["content"] = _pruned(body["content"], "", reads)
        for block in ("matchingRules", "generators"):
            rules = response.get(block, {}).get("body")
            if isinstance(rules, dict):
                for rule_path in [path for path in rules if not _resolves(body["content"], path)]:
                    del rules[rule_path]
        cut += 1
    return cut


def _pruned(value: Any, prefix: str, reads: Reads) -> Any:
    if reads.whole_at(prefix):
        return value
    if isinstance(value, list):
        return [_pruned(item, prefix + "[]", reads) for item in value]
    if not isinstance(value, dict):
        return value
    if prefix not in reads.models:
        if prefix + "{}" in reads.models:
            return {key: _pruned(item, prefix + "{}", reads) for key, item in value.items()}
        return value  # a free-form object: used whole
    kept = {}
    for key, item in value.items():
        path = f"{prefix}.{key}" if prefix else key
        if reads.used(path):
            kept[key] = _pruned(item, path, reads)
    return kept


def _resolves(content: Any, rule_path: str) -> bool:
    """Whether a matching rule's path (`$.sessions[*].status`) still points at something in `content`."""
    if not rule_path.startswith("$"):
        return True
    nodes = [content]
    for match in _RULE_PART.finditer(rule_path[1:]):
        key, quoted, index = match.groups()
        following: list[Any] = []
        for node in nodes:
            if key is not None or quoted is not None:
                name = key if key is not None else quoted
                if name == "*" and isinstance(node, dict):
                    following.extend(node.values())
                elif isinstance(node, dict) and name in node:
                    following.append(node[name])
            elif isinstance(node, list):
                following.extend(node if index == "*" else node[int(index) : int(index) + 1])
        nodes = following
        if not nodes:
            return False
    return True
