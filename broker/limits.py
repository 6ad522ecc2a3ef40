"""How much one request may ask of the broker: the length of every list it reads.

A publish with 100,000 tags held SQLite's write lock for half a minute, and 10,000 consumer
version selectors took as long again; each list a request carries is therefore bounded,
checked before any work is done, and a request past a limit is a 400 naming the field and the
limit. The limits are far beyond what the Pact clients send (a handful of tags and selectors)
and are documented in broker/README.md. Below them the work is linear in the list's length.
"""

from __future__ import annotations

from collections.abc import Sized

from broker.errors import InvalidInputError

MAX_TAGS = 100
"""Tags one request names: a publish's `tags`, `providerVersionTags`."""
MAX_SELECTORS = 100
"""Consumer version selectors of pacts-for-verification; selectors (`q[]`) and `ignore[]` of the matrix."""
MAX_CONTRACTS = 30
"""Contracts in one publish (one pact per provider): each costs the write transaction some ten queries."""
MAX_INTERACTIONS = 10_000
"""Interactions (or messages) in one pact."""
MAX_WEBHOOK_HEADERS = 50
"""Headers of a webhook's request."""
MAX_WEBHOOK_EVENTS = 20
"""Events a webhook names (there are fewer kinds than that)."""


def at_most(items: Sized, limit: int, field: str, what: str) -> None:
    """InvalidInputError naming `field` and the limit when `items` holds more than `limit` of `what`."""
    count = len(items)
    if count > limit:
        message = f"at most {limit} {what} are allowed in one request; this one has {count:,}"
        raise InvalidInputError(f"{field}: {message}", {field: [message]})
