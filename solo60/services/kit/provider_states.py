"""Provider states: the data a pact interaction's `given(...)` names, set up on request.

The official verifier POSTs `{"state", "params", "action": "setup" | "teardown"}` to the
provider's state-change URL before and after each interaction. A URL handler (rather than a
Python callback in the verifier process) is what a non-Python provider would expose too, and
avoids pact-python's half-second callback-server shutdown per run.

The route exists only when `SOLO60_PROVIDER_STATES=1`, and settings refuse that combination
in production: setting up a state rewrites the service's data.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import to_jsonable_python

from solo60.services.kit.errors import ValidationFailed

logger = logging.getLogger("solo60.services.states")

Setup = Callable[[Any, Any], Awaitable[Mapping[str, Any] | None]]
NO_STATE = ""


class StateChange(BaseModel):
    """The body the official verifier sends (the query-string form is accepted too)."""

    model_config = ConfigDict(extra="ignore")

    state: str = Field(max_length=500)
    params: dict[str, Any] = Field(default_factory=dict)
    action: Literal["setup", "teardown"] = "setup"


class StateParams(BaseModel):
    """Base for a state's parameters: names as the consumer writes them, values coerced.

    An unknown parameter is refused (400 naming it): a misspelled `userID` would otherwise be
    ignored and the state set up with its default, passing verification by accident.
    """

    model_config = ConfigDict(extra="forbid", strict=False, coerce_numbers_to_str=True)


@dataclass(frozen=True)
class ProviderState:
    name: str
    description: str
    params: type[StateParams] | None
    setup: Setup
    operations: tuple[str, ...] = ()
    """Operations (`POST /internal/auth/verify-email`) whose requests find data once this state is set up."""

    def describe(self) -> dict[str, Any]:
        params = {}
        if self.params is not None:
            for name, info in self.params.model_fields.items():
                spec: dict[str, Any] = {
                    "type": getattr(info.annotation, "__name__", str(info.annotation)),
                    "required": info.is_required(),
                }
                if not info.is_required():
                    default = info.get_default(call_default_factory=True, validated_data={})
                    spec["default"] = to_jsonable_python(default, fallback=str)
                if info.description:
                    spec["description"] = info.description
                params[info.alias or name] = spec
        return {
            "name": self.name,
            "description": self.description,
            "params": params,
            "operations": list(self.operations),
        }


class ProviderStates:
    """The states one provider knows; each is a function that seeds data for it."""

    def __init__(self, service: str) -> None:
        self.service = service
        self._states: dict[str, ProviderState] = {}

    def state(
        self, name: str, *, params: type[StateParams] | None = None, operations: Iterable[str] = ()
    ) -> Callable[[Setup], Setup]:
        """Registers `async def setup(runtime, params) -> values | None` for the state `name`.

        `operations` lists the operations (`METHOD /path`) the state gives data to find; the
        listing says so, and the fuzzer sets the state up for an operation no pact seeds.
        """

        def register(setup: Setup) -> Setup:
            if name in self._states:
                raise ValueError(f"provider state {name!r} is registered twice for {self.service}")
            description = (setup.__doc__ or "").strip().splitlines()[0] if setup.__doc__ else ""
            self._states[name] = ProviderState(name, description, params, setup, tuple(operations))
            return setup

        return register

    @property
    def names(self) -> list[str]:
        return sorted(self._states)

    def describe(self) -> list[dict[str, Any]]:
        """The states in the order they were registered: the order a fuzzer sets an operation's states up in."""
        return [state.describe() for state in self._states.values()]

    async def change(self, runtime: Any, metadata: sa.MetaData, change: StateChange) -> dict[str, Any]:
        """Set up or tear down one state; teardown empties every table of the service."""
        if change.action == "teardown":
            await reset(runtime.db, metadata)
            return {}
        if change.state == NO_STATE:
            return {}
        state = self._states.get(change.state)
        if state is None:
            known = ", ".join(repr(name) for name in self.names) or "none"
            raise ValidationFailed(
                f"Unknown provider state {change.state!r} for the {self.service} service; known states: {known}."
            )
        params: Any = None
        if state.params is not None:
            try:
                params = state.params.model_validate(change.params)
            except ValidationError as error:
                raise ValidationFailed.from_pydantic(error, f"params of {change.state!r}") from None
        try:
            values = await state.setup(runtime, params)
        except Exception as error:
            # A 5xx here makes the official verifier retry for two minutes; fail fast instead.
            logger.exception("provider state %r failed", change.state)
            raise ValidationFailed(
                f"Provider state {change.state!r} of the {self.service} service could not be set up: {error!r}"
            ) from error
        return dict(values or {})


async def reset(db: Any, metadata: sa.MetaData) -> None:
    """Delete every row of the service's tables, children first."""
    async with db.write() as session:
        for table in reversed(metadata.sorted_tables):
            await session.execute(table.delete())
