"""What the coverage map keeps between requests: work that depends only on contents.

A contract's parsed document (its comparator and documented operations) depends only on its
text, so it is kept by the contract's SHA; a pact's analysis against a document (each
interaction's route, whether comparing it found an error, the fields it reads) depends only on
the two contents, so it is kept by (contract SHA, pact SHA, consumer name). Keys name contents,
never rows, so a kept value can not go stale: a changed pact or contract has another SHA, and
several broker processes sharing a database each keep their own copy of the same answers.
Both mappings are bounded (least recently used first out).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

from broker.provider_contracts.comparison import Comparator
from broker.provider_contracts.coverage import DocumentedOperation, InteractionUse

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")

CACHED_DOCUMENTS = 64  # a contract per provider, plus the ones a republish replaced
CACHED_ANALYSES = 20_000  # pact contents x documents: a few hundred per provider at the benchmark's full data


class Bounded(Generic[Key, Value]):
    """A thread-safe mapping that forgets its least recently used entry beyond `size` entries."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[Key, Value] = OrderedDict()

    def get(self, key: Key) -> Value | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: Key, value: Value) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


@dataclass(frozen=True)
class PreparedContract:
    """A contract document ready for the coverage map; `comparator` is None when the stored text
    is not an OpenAPI document (it has no operations to map)."""

    comparator: Comparator | None
    operations: tuple[DocumentedOperation, ...]
    lock: threading.Lock  # compiled validators are not shared between threads mid-comparison


documents: Bounded[str, PreparedContract] = Bounded(CACHED_DOCUMENTS)
analyses: Bounded[tuple[str, str, str], tuple[InteractionUse, ...]] = Bounded(CACHED_ANALYSES)


def remembered(cache: Bounded[Key, Value], key: Key, compute: Callable[[], Value]) -> Value:
    """The kept value, or `compute()`'s (kept for next time). Two threads missing at once both
    compute: the values are equal, as they depend on the key's contents alone."""
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.put(key, found)
    return found


def forget_all() -> None:
    """Empties both mappings (tests use it to start cold)."""
    documents.clear()
    analyses.clear()
