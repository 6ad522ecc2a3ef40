"""Message pacts, the producer's side: the events a consumer's pact describes, built by the real code.

The official verifier's message transport POSTs `{"description", "providerStates"}` to the
provider (`POST /_pact/messages`, beside the state-change route and, like it, only with
`SOLO60_PROVIDER_STATES=1`) after setting up each state through the state-change route. The
description starts with the event's name (`subscription.activated: a member's plan starts`,
as `ContractTest.message` writes it), which picks the builder; the builder runs the
producer's own code that records that event, on the data the provider state stored, and
hands back the envelope it recorded (the transaction is rolled back: nothing is published).
The reply is the payload as the body and the envelope as `Pact-Message-Metadata`.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from solo60.contracts.events import Envelope, EventContract
from solo60.services.kit.errors import ValidationFailed

MESSAGES_PATH = "/_pact/messages"
METADATA_HEADER = "Pact-Message-Metadata"

Build = Callable[[Any, dict[str, Any]], Awaitable[Envelope]]
"""`(runtime, params of the interaction's provider states) -> the envelope the real code recorded`."""


class StateGiven(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = Field(max_length=500)
    params: dict[str, Any] = Field(default_factory=dict)


class MessageRequest(BaseModel):
    """What the verifier's message transport sends."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    description: str = Field(max_length=1000)
    provider_states: list[StateGiven] = Field(default_factory=list, alias="providerStates")

    @property
    def event_name(self) -> str:
        return self.description.split(":", 1)[0].strip()

    def params(self) -> dict[str, Any]:
        """Every state's parameters, merged (later states win)."""
        merged: dict[str, Any] = {}
        for state in self.provider_states:
            merged.update(state.params)
        return merged


@dataclass(frozen=True)
class BuiltMessage:
    body: bytes
    metadata: dict[str, str]

    def headers(self) -> dict[str, str]:
        encoded = base64.b64encode(json.dumps(self.metadata).encode()).decode()
        return {"Content-Type": "application/json", METADATA_HEADER: encoded}


class ProviderMessages:
    """The events one producer can build for verification, by name."""

    def __init__(self, service: str) -> None:
        self.service = service
        self._builders: dict[str, Build] = {}

    def event(self, contract: EventContract[Any]) -> Callable[[Build], Build]:
        def register(build: Build) -> Build:
            if contract.producer != self.service:
                raise ValueError(f"{self.service} does not produce {contract.name}")
            self._builders[contract.name] = build
            return build

        return register

    @property
    def names(self) -> list[str]:
        return sorted(self._builders)

    async def build(self, runtime: Any, request: MessageRequest) -> BuiltMessage:
        build = self._builders.get(request.event_name)
        if build is None:
            known = ", ".join(self.names) or "none"
            raise ValidationFailed(
                f"No event of the {self.service} service is named {request.event_name!r} (the description must start "
                f"with the event name and a colon); it builds: {known}."
            )
        envelope = await build(runtime, request.params())
        return BuiltMessage(json.dumps(envelope.payload).encode(), message_metadata(envelope))


def message_metadata(envelope: Envelope) -> dict[str, str]:
    """The metadata a message pact sees: the envelope's headers and the content type."""
    return {**envelope.headers(), "contentType": "application/json"}
