"""A rehearsal: the consumer's code run once against a stand-in for the provider, to see what it sends.

Some requests are composed only at the moment they are sent (a session mail's variables come
from the gym and user services the relay asks first; a signup's body from the form). To
declare such an interaction from what the consumer's code sends, rather than from what a test
types, the test runs that code once with its generated client on a recording transport that
answers as the pact will, reads the request it made, declares the interaction from it, and
then runs the same code against the Pact mock server, which checks the request and records
the pact.

The stand-in's answer is the response the interaction declares. That is also where a later
step can learn which response fields the consumer's code reads.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import parse_qsl

import httpx

from solo60.clients import BreakerPolicy, ClientConfig, RetryPolicy, ServiceClient

ClientT = TypeVar("ClientT", bound=ServiceClient)


@dataclass(frozen=True)
class SentRequest:
    """One request the consumer's code sent in the rehearsal."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any = None


@dataclass
class Rehearsal:
    """What the consumer's code sent, in order."""

    sent: list[SentRequest] = field(default_factory=list)

    @property
    def only(self) -> SentRequest:
        """The single request sent; anything else is a test that does not know its consumer's code."""
        if len(self.sent) != 1:
            raise AssertionError(f"the consumer's code sent {len(self.sent)} requests in the rehearsal, not one")
        return self.sent[0]


async def rehearse(
    client_class: type[ClientT],
    act: Callable[[ClientT], Awaitable[Any]],
    *,
    caller: str,
    answer: httpx.Response,
) -> Rehearsal:
    """Run `act` (the consumer's code, given its client) against a stand-in that answers `answer`."""
    rehearsal = Rehearsal()

    def record(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        rehearsal.sent.append(
            SentRequest(
                request.method,
                request.url.path,
                dict(parse_qsl(request.url.query.decode())),
                {name.lower(): value for name, value in request.headers.items()},
                body,
            )
        )
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)

    config = ClientConfig(
        base_url=f"http://{client_class.service}",
        caller=caller,
        retry=RetryPolicy(attempts=1),
        breaker=BreakerPolicy(failures=1000, cool_down=0.1),
    )
    async with client_class(config, transport=httpx.MockTransport(record)) as client:
        await act(client)
    return rehearsal
