"""What the coverage map keeps between requests: work that depends only on contents.

A contract's parsed document (its comparator and documented operations) depends only on its
text, so it is kept by the contract's SHA; a pact's analysis against a document (each
interaction's route, whether comparing it found an error, the fields it reads) depends only on
the two contents, so it is kept by (contract SHA, pact SHA, consumer name). Keys name contents,
never rows, so a kept value can not go stale: a changed pact or contract has another SHA, and
several broker processes sharing a database each keep their own copy of the same answers.
Both mappings are bounded (least recently used first out); the analyses by their size rather than
their number, as a pact may have three interactions or three hundred.

A provider's assembled map is kept too (`maps`), keyed by everything it is built from: the
provider's name, its contract's version number and SHA, and a digest of every row the query of
the pacts that matter returned (pact version, consumer, consumer version number, pact SHA and
the newest verification). A new publication, verification, deployment or branch head changes a
row and so the key, so a kept map is never stale either; the page's arrangement of a map into
tables is kept by the same key (`arranged`), and the API's encoded answer by the keys of its maps
and its URL (`encoded`). On PostgreSQL the digest of a warm request comes from a probe of ids
(`repository.pact_uses_digest`), not from the rows, so it costs that probe and the rendering.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from hashlib import sha256
from typing import Any, Generic, TypeVar

from broker.provider_contracts.comparison import Comparator
from broker.provider_contracts.coverage import DocumentedOperation, InteractionUse

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")

CACHED_DOCUMENTS = 64  # a contract per provider, plus the ones a republish replaced
# Interactions plus the fields they read, over all kept analyses: at the benchmark's full data a
# pact (3 interactions reading 3 fields each) weighs 13 and takes ~1.5 KB, so ~45 MB at most; that
# holds the ~1,000 pacts that matter of each of 20 providers (a contract each) with room to spare.
CACHED_ANALYSIS_WEIGHT = 400_000
# Assembled maps (and their arrangement for the page): one per provider, each ~1-2 MB at full data
# (~3,000 uses); a few more than the benchmark's 20 providers, for keys a new row just replaced.
CACHED_MAPS = 32


class Bounded(Generic[Key, Value]):
    """A thread-safe mapping that forgets its least recently used entries while their total weight
    (`weigh` of each value; 1 each by default) is above `size`."""

    def __init__(self, size: int, weigh: Callable[[Value], int] | None = None) -> None:
        self.size = size
        self._weigh = weigh or (lambda _: 1)
        self._weight = 0
        self._lock = threading.Lock()
        self._entries: OrderedDict[Key, tuple[Value, int]] = OrderedDict()

    def get(self, key: Key) -> Value | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[0]

    def put(self, key: Key, value: Value) -> None:
        weight = self._weigh(value)
        with self._lock:
            replaced = self._entries.pop(key, None)
            if replaced is not None:
                self._weight -= replaced[1]
            self._entries[key] = (value, weight)
            self._weight += weight
            while self._weight > self.size and len(self._entries) > 1:
                _, (_, forgotten) = self._entries.popitem(last=False)
                self._weight -= forgotten

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._weight = 0

    def __len__(self) -> int:
        return len(self._entries)


@dataclass(frozen=True)
class PreparedContract:
    """A contract document ready for the coverage map; `comparator` is None when the stored text
    is not an OpenAPI document (it has no operations to map)."""

    comparator: Comparator | None
    operations: tuple[DocumentedOperation, ...]
    lock: threading.Lock  # compiled validators are not shared between threads mid-comparison


def _weight(analysis: tuple[InteractionUse, ...]) -> int:
    return 1 + sum(1 + len(interaction.reads) for interaction in analysis)


documents: Bounded[str, PreparedContract] = Bounded(CACHED_DOCUMENTS)
analyses: Bounded[tuple[str, str, str], tuple[InteractionUse, ...]] = Bounded(CACHED_ANALYSIS_WEIGHT, _weight)
maps: Bounded[Hashable, dict[str, Any]] = Bounded(CACHED_MAPS)
arranged: Bounded[Hashable, Any] = Bounded(CACHED_MAPS)
# The API's encoded answer, by the keys of every map in it and its own URL: ~450 KB of JSON at the
# benchmark's full data took ~4 ms to encode on each request; one answer per base URL it is asked by.
encoded: Bounded[Hashable, bytes] = Bounded(4)


def rows_digest(rows: Iterable[tuple[Any, ...]]) -> bytes:
    """A digest of the rows whatever their order (the map does not depend on it): each row's
    values as their repr, so None, False and "False" differ, in sorted order."""
    found = sha256()
    for row in sorted(repr(tuple(row)) for row in rows):
        found.update(row.encode())
        found.update(b"\n")  # a repr holds no raw newline, so rows can not run into each other
    return found.digest()


def remembered(cache: Bounded[Key, Value], key: Key, compute: Callable[[], Value]) -> Value:
    """The kept value, or `compute()`'s (kept for next time). Two threads missing at once both
    compute: the values are equal, as they depend on the key's contents alone."""
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.put(key, found)
    return found


def forget_all() -> None:
    """Empties every mapping (tests use it to start cold)."""
    documents.clear()
    analyses.clear()
    maps.clear()
    arranged.clear()
    encoded.clear()
