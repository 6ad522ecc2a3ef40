"""The metadata segment of a pact URL handed out by pacts-for-verification.

`/pacts/provider/P/consumer/C/pact-version/SHA/metadata/<m>`: `<m>` is URL-safe base64 (no
padding) of a Rack query with short keys, as the official broker writes it. It travels through
the verifier back to the verification publication, telling the broker whether the pact was
pending or WIP and which consumer versions the verification speaks for.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field

from broker.nested_query import NestedQuery, encode_objects, whole_number


@dataclass(frozen=True)
class SelectorMetadata:
    consumer_version_id: int | None = None
    branch: str | None = None
    tag: str | None = None
    latest: bool | None = None
    environment: str | None = None


@dataclass(frozen=True)
class PactMetadata:
    selectors: tuple[SelectorMetadata, ...] = field(default_factory=tuple)
    pending: bool | None = None
    wip: bool = False

    def encode(self) -> str:
        items = []
        for selector in self.selectors:
            item: dict[str, str] = {}
            if selector.branch is not None:
                item["b"] = selector.branch
            if selector.tag is not None:
                item["t"] = selector.tag
            if selector.latest:
                item["l"] = "true"
            if selector.environment is not None:
                item["e"] = selector.environment
            if selector.consumer_version_id is not None:
                item["cv"] = str(selector.consumer_version_id)
            items.append(item)
        scalars = {}
        if self.pending is not None:
            scalars["p"] = "true" if self.pending else "false"
        if self.wip:
            scalars["w"] = "true"
        query = encode_objects("s", items, scalars)
        return base64.urlsafe_b64encode(query.encode()).decode().rstrip("=")

    @property
    def consumer_version_ids(self) -> list[int]:
        return [s.consumer_version_id for s in self.selectors if s.consumer_version_id is not None]


def decode(segment: str | None) -> PactMetadata:
    """Lenient: metadata that does not decode is treated as absent, as the official broker does."""
    if not segment:
        return PactMetadata()
    try:
        padded = segment + "=" * (-len(segment) % 4)
        query = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeError):
        return PactMetadata()
    parsed = NestedQuery.parse(query)
    selectors = []
    for item in parsed.objects.get("s", []):
        version_id = item.get("cv")
        selectors.append(
            SelectorMetadata(
                consumer_version_id=whole_number(version_id),
                branch=item.get("b"),
                tag=item.get("t"),
                latest=item.get("l") == "true" if "l" in item else None,
                environment=item.get("e"),
            )
        )
    pending = parsed.scalars.get("p")
    return PactMetadata(
        selectors=tuple(selectors),
        pending=None if pending is None else pending == "true",
        wip=parsed.scalars.get("w") == "true",
    )
