"""Pact documents: what counts as a pact, its content SHA, interaction ids and merging.

The SHA covers only what affects verification (the interactions or messages, order-insensitive,
and the specification version), so the same contract published by many consumer versions is
stored once and verified once.
"""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

from broker.errors import InvalidInputError
from broker.limits import MAX_INTERACTIONS
from broker.text import may_hold_surrogates, refuse_unpaired_surrogates

INTERACTION_KEYS = ("interactions", "messages")
MAX_DEPTH = 100


def nesting_depth(value: Any, limit: int) -> int:
    """How deep `value` nests (stopping once past `limit`), without recursion."""
    stack = [(value, 1)]
    deepest = 0
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return deepest


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def parse_pact(text: str | bytes, field: str = "content") -> dict[str, Any]:
    """The pact document in `text`, or an InvalidInputError saying why it is not one."""
    try:
        document = json.loads(text)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise InvalidInputError(f"{field} is not valid JSON", {field: [f"is not valid JSON: {error}"]}) from None
    if nesting_depth(document, MAX_DEPTH) > MAX_DEPTH:
        raise InvalidInputError(
            f"{field} is nested too deeply", {field: [f"is nested more than {MAX_DEPTH} levels deep"]}
        )
    if may_hold_surrogates(text):
        refuse_unpaired_surrogates(document, field)
    problem = pact_problem(document)
    if problem:
        raise InvalidInputError(f"{field} is not a pact: {problem}", {field: [f"is not a pact: {problem}"]})
    return document


def pact_problem(document: Any) -> str | None:
    if not isinstance(document, dict):
        return "the content must be a JSON object"
    present = [key for key in INTERACTION_KEYS if key in document]
    if not present:
        return "the content has neither 'interactions' nor 'messages'"
    for key in present:
        items = document[key]
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            return f"'{key}' must be a list of objects"
        if len(items) > MAX_INTERACTIONS:
            return f"at most {MAX_INTERACTIONS} {key} are allowed in one pact; this one has {len(items):,}"
        for item in items:
            states = item.get("providerStates")
            if states is not None and not (isinstance(states, list) and all(isinstance(x, dict) for x in states)):
                return f"'providerStates' of an item of '{key}' must be a list of objects"
            state = item.get("providerState")
            if state is not None and not isinstance(state, str):
                return f"'providerState' of an item of '{key}' must be a string"
    for role in ("consumer", "provider"):
        if role in document:
            party = document[role]
            if not isinstance(party, dict) or not isinstance(party.get("name", ""), str):
                return f"'{role}' must be an object with a string 'name'"
    if "metadata" in document and not isinstance(document["metadata"], dict):
        return "'metadata' must be an object"
    return None


def party_name(document: dict[str, Any], role: str) -> str | None:
    party = document.get(role)
    if isinstance(party, dict) and isinstance(party.get("name"), str):
        return party["name"]
    return None


def specification_version(document: dict[str, Any]) -> str | None:
    metadata = document.get("metadata")
    if not isinstance(metadata, dict):
        return None
    for key in ("pactSpecification", "pact-specification"):
        spec = metadata.get(key)
        if isinstance(spec, dict) and spec.get("version") is not None:
            return str(spec["version"])
    version = metadata.get("pactSpecificationVersion")
    return str(version) if version is not None else None


def _without_id(interaction: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in interaction.items() if key != "_id"}


def content_sha(document: dict[str, Any]) -> str:
    relevant: dict[str, Any] = {"specification": specification_version(document)}
    for key in INTERACTION_KEYS:
        if key in document:
            relevant[key] = sorted(canonical_json(_without_id(item)) for item in document[key])
    return hashlib.sha1(canonical_json(relevant).encode(), usedforsecurity=False).hexdigest()


def interaction_id(interaction: dict[str, Any]) -> str:
    return hashlib.sha1(canonical_json(_without_id(interaction)).encode(), usedforsecurity=False).hexdigest()


def with_interaction_ids(document: dict[str, Any]) -> dict[str, Any]:
    """A copy where every interaction and message carries the `_id` verifiers report results by."""
    stamped = dict(document)
    for key in INTERACTION_KEYS:
        if key in document:
            stamped[key] = [{**_without_id(item), "_id": interaction_id(item)} for item in document[key]]
    return stamped


def _merge_key(interaction: dict[str, Any]) -> str:
    states = interaction.get("providerStates")
    if states is None and interaction.get("providerState") is not None:
        states = [{"name": interaction["providerState"]}]
    names = [state.get("name") for state in states if isinstance(state, dict)] if isinstance(states, list) else []
    return canonical_json([interaction.get("description"), names])


def merge_pacts(existing: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Union of interactions keyed by description and provider states; the newer one wins."""
    merged = copy.deepcopy(existing)
    for key in INTERACTION_KEYS:
        if key not in new:
            continue
        items = list(merged.get(key, []))
        positions = {_merge_key(item): index for index, item in enumerate(items)}
        for item in new[key]:
            position = positions.get(_merge_key(item))
            if position is None:
                positions[_merge_key(item)] = len(items)
                items.append(item)
            else:
                items[position] = item
        merged[key] = items
    return merged


def provider_states(document: dict[str, Any]) -> list[dict[str, Any]]:
    states: list[dict[str, Any]] = []
    for key in INTERACTION_KEYS:
        for item in document.get(key, []):
            if isinstance(item.get("providerStates"), list):
                for state in item["providerStates"]:
                    if isinstance(state, dict) and isinstance(state.get("name"), str):
                        entry = {"name": state["name"]}
                        if isinstance(state.get("params"), dict):
                            entry["params"] = state["params"]
                        states.append(entry)
            elif isinstance(item.get("providerState"), str):
                states.append({"name": item["providerState"]})
    return states


def interaction_changes(
    old: dict[str, Any], new: dict[str, Any]
) -> list[tuple[str, dict[str, Any] | None, dict[str, Any] | None]]:
    """How two pacts' interactions differ: ("added" | "changed" | "removed", old, new), each
    interaction keyed by description and provider states, as merging keys them."""
    old_keys = {_merge_key(item): item for key in INTERACTION_KEYS for item in old.get(key, [])}
    new_keys = {_merge_key(item): item for key in INTERACTION_KEYS for item in new.get(key, [])}
    changes: list[tuple[str, dict[str, Any] | None, dict[str, Any] | None]] = []
    for key, item in new_keys.items():
        if key not in old_keys:
            changes.append(("added", None, item))
        elif canonical_json(_without_id(item)) != canonical_json(_without_id(old_keys[key])):
            changes.append(("changed", old_keys[key], item))
    changes += [("removed", item, None) for key, item in old_keys.items() if key not in new_keys]
    return changes


def describe_differences(old: dict[str, Any], new: dict[str, Any]) -> str:
    """A short human summary of how two pacts' interactions differ (for the 409 notice)."""
    symbols = {"added": "+ interaction '{}'", "changed": "~ interaction '{}' changed", "removed": "- interaction '{}'"}
    lines = [
        symbols[kind].format((after or before or {}).get("description"))
        for kind, before, after in interaction_changes(old, new)
    ]
    return "\n".join(lines) if lines else "The specification version or interaction details differ."
