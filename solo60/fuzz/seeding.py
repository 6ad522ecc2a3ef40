"""Generated cases that find data: provider states set up per operation, their values in the cases.

A random session id or mailed token finds nothing, so an operation fuzzed with random values
alone answers 404 and its logic is never reached (Schemathesis warns "Missing test data").
The pacts name the provider states that create such data (`pact_states`); where no pact seeds
an operation, the provider's state listing says which of its states do. Before an operation is
fuzzed its states are set up on the live provider through the state-change route, whose answer
carries the values created (ids, tokens, emails, message ids); those values then replace
Schemathesis' own in about half of the valid cases, field by field where the names match:

- the fuzzing phase and stateful scenarios: through `before_generate_*` hooks on the path
  parameters, query and body, so Hypothesis chooses between its value and a created one, and
  values a link carries into a scenario's later step win over both;
- the coverage phase, which draws no Hypothesis data: through a `map_case` hook that seeds
  every other valid case, taking the created values in turn (the phase's cases come in a
  fixed order, so a run still repeats).

Only valid parts of a case are seeded: a negative part must stay what Schemathesis made it.
States are set up again when a phase starts and when a scenario resets the data, so a value
another operation's states replaced is fresh again when its operation is fuzzed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from hypothesis import strategies as st
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import TestPhase
from schemathesis.generation.modes import GenerationMode
from schemathesis.generation.value import GeneratedValue

from solo60.fuzz.pact_states import DEFAULT_PACTS_DIR, OperationStates, StateUse, pact_states
from solo60.fuzz.targets import seeded_values

if TYPE_CHECKING:
    from schemathesis import Case
    from schemathesis.hooks import HookContext
    from schemathesis.schemas import BaseSchema

    from solo60.fuzz.live import LiveTarget

Candidates = Mapping[str, tuple[Any, ...]]
"""Field name -> the values the operation's states created for it."""

_CONTAINERS = {
    "path_parameters": ParameterLocation.PATH,
    "query": ParameterLocation.QUERY,
    "body": ParameterLocation.BODY,
}


def operation_states(
    target: str,
    document: Mapping[str, Any],
    listed: Iterable[Mapping[str, Any]],
    pacts_dir: Path = DEFAULT_PACTS_DIR,
) -> OperationStates:
    """The states to set up per operation: the pacts' where they name any, else those the provider lists."""
    from_pacts = pact_states(target, document, pacts_dir)
    plan: dict[str, list[StateUse]] = {}
    for state in listed:
        name = state.get("name")
        if not isinstance(name, str):
            continue
        for label in state.get("operations") or ():
            plan.setdefault(str(label), []).append(StateUse.of(name))
    merged = {label: tuple(uses) for label, uses in plan.items()}
    merged.update(from_pacts)
    return merged


def candidates_from(values: Iterable[Mapping[str, Any]]) -> dict[str, tuple[Any, ...]]:
    """Each field name with the distinct values the states created for it.

    A list (`sessionIds`) also offers its items under the singular name (`sessionId`), and a
    map of lists (`sessionIds` by status) its lists' items: the route's name for the value.
    """
    found: dict[str, dict[str, Any]] = {}

    def add(name: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for item in value.values():
                add(name, item)
        elif isinstance(value, list):
            for item in value:
                add(name, item)
                if name.endswith("s") and len(name) > 1:
                    add(name[:-1], item)
        elif isinstance(value, (str, int, float, bool)):
            found.setdefault(name, {}).setdefault(repr(value), value)

    for mapping in values:
        for name, value in mapping.items():
            add(str(name), value)
    return {name: tuple(values.values()) for name, values in found.items()}


@dataclass
class StateSeeder:
    """Sets an operation's states up on the live provider and keeps the values they created.

    Made before its provider runs (a pytest suite builds its schema at import), it seeds
    nothing until `attach`ed to a live provider whose data it may change.
    """

    live: LiveTarget | None = None
    plan: OperationStates = field(default_factory=dict)
    _values: dict[tuple[int, str], Candidates] = field(default_factory=dict)
    _epoch: int = 0
    _phase: str | None = None
    _created: dict[StateUse, Mapping[str, Any]] = field(default_factory=dict)
    _turns: dict[tuple[int, str], int] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _http: httpx.Client | None = field(default=None, repr=False)
    _owned: httpx.Client | None = field(default=None, repr=False)
    set_ups: int = 0
    """How many provider states were set up, for the report's curious reader and the tests."""

    def attach(
        self,
        live: LiveTarget,
        document: Mapping[str, Any],
        pacts_dir: Path = DEFAULT_PACTS_DIR,
        *,
        http: httpx.Client | None = None,
    ) -> None:
        """Seed `live` from now on, with the states the pacts (or else its own listing) name per operation.

        Every set-up goes through one client: `http` when given (its owner closes it), else one
        the seeder opens here and `close` closes. A client per set-up built a TLS context each
        time (certifi's bundle, tens of ms) for plain-HTTP calls and a new connection besides:
        half of what seeding cost a pipeline run.
        """
        if not live.states_settable:
            return
        with self._lock:
            self.close()
            if http is None:
                http = self._owned = httpx.Client(timeout=10, headers=live.state_headers)
            self._http = http
            listed = live.listed_states(http)
            self.live = live
            self.plan = operation_states(live.name, document, listed, pacts_dir)
            self.forget()

    def close(self) -> None:
        """Close the client the seeder opened for itself, if any; it seeds nothing until attached again."""
        with self._lock:
            if self._owned is not None:
                self._owned.close()
            self._owned = self._http = None
            self.live = None

    def candidates(self, label: str) -> Candidates:
        """The values for `label`'s cases; its states are set up first if this phase has not yet.

        One operation after another (the examples, coverage and fuzzing phases), each sets its
        states up afresh; in stateful scenarios, where operations take turns, a state is set up
        once and shared, or each operation's set-up would replace the ids another one holds.
        """
        if self.live is None or label not in self.plan:
            return {}
        with self._lock:
            key = (self._epoch, label)
            if key not in self._values:
                self._values[key] = self._set_up(label, shared=self._phase == TestPhase.STATEFUL.value)
            return self._values[key]

    def note_phase(self, phase: str) -> None:
        """A new phase sets every operation's states up afresh before its first case."""
        with self._lock:
            if phase != self._phase:
                self._phase = phase
                self.forget()

    def next_turn(self, label: str) -> int:
        """The how-many-th seedable coverage case of `label` this is: the phase's cases come in a fixed order."""
        with self._lock:
            key = (self._epoch, label)
            turn = self._turns.get(key, 0)
            self._turns[key] = turn + 1
            return turn

    def forget(self) -> None:
        """The provider's data was reset: states are set up again before the next case needs them."""
        with self._lock:
            self._epoch += 1
            self._values.clear()
            self._created.clear()
            self._turns.clear()

    def _set_up(self, label: str, *, shared: bool) -> Candidates:
        assert self.live is not None
        assert self._http is not None
        created = []
        for use in self.plan[label]:
            params = use.params_dict()
            if not shared or use not in self._created:
                self._created[use] = self.live.set_up(self._http, use.state, params)
                self.set_ups += 1
            created += [params, self._created[use]]
        own = candidates_from(created)
        # Then what the seeds put in every owned service, the upstreams included (a gym's admin).
        return {
            name: tuple(dict.fromkeys([*own.get(name, ()), *upstream.get(name, ())]))
            for upstream in [seeded_values()]
            for name in {*own, *upstream}
        }


def seed_schema(schema: BaseSchema, seeder: StateSeeder) -> None:
    """Register the hooks that put the seeder's values into the schema's generated cases."""
    for container in _CONTAINERS:
        schema.hooks.register_hook_with_name(_strategy_hook(seeder), f"before_generate_{container}")
    schema.hooks.register_hook_with_name(_case_hook(seeder), "map_case")


def _strategy_hook(seeder: StateSeeder) -> Callable[[HookContext, st.SearchStrategy], st.SearchStrategy]:
    def before_generate(context: HookContext, strategy: st.SearchStrategy) -> st.SearchStrategy:
        operation = context.operation
        if operation is None:
            return strategy
        label = operation.label
        return strategy.flatmap(lambda value: _choices(value, seeder.candidates(label)))

    return before_generate


def _choices(value: Any, candidates: Candidates) -> st.SearchStrategy:
    """The generated value, or the same with created values in the fields they fit; negative values stay."""
    if isinstance(value, GeneratedValue):
        if value.meta is not None:
            return st.just(value)
        return _choices(value.value, candidates).map(lambda plain: _rewrapped(value, plain))
    fields = _seedable(value, candidates)
    if not fields:
        return st.just(value)
    seeded = st.tuples(*(st.sampled_from(options) for options in fields.values())).map(
        lambda chosen: {**value, **dict(zip(fields, chosen, strict=True))}
    )
    return st.one_of(st.just(value), seeded)


def _rewrapped(original: GeneratedValue, plain: Any) -> GeneratedValue:
    return GeneratedValue(
        plain,
        original.meta,
        original.pool_draws,
        original.semantic_draws,
        original.dictionary_draws,
        original.constants_draws,
    )


def _case_hook(seeder: StateSeeder) -> Callable[[HookContext, Case], Case]:
    def map_case(_context: HookContext, case: Case) -> Case:
        meta = case.meta
        if meta is None:
            return case
        seeder.note_phase(meta.phase.name.value)
        if meta.phase.name != TestPhase.COVERAGE:
            return case  # the strategy hooks seeded it, or it is a documented example
        candidates = seeder.candidates(case.operation.label)
        if not candidates:
            return case
        turn = seeder.next_turn(case.operation.label)
        if turn % 2:
            return case  # every other case keeps the coverage phase's own values
        pick = turn // 2  # and the others take the created values in turn, so each is tried
        aimed_at = getattr(meta.phase.data, "parameter", None)
        for container, location in _CONTAINERS.items():
            component = meta.components.get(location)
            value = getattr(case, container)
            if component is None or component.mode != GenerationMode.POSITIVE or not isinstance(value, dict):
                continue
            for name, options in _seedable(value, candidates).items():
                if name != aimed_at:
                    value[name] = options[pick % len(options)]
        return case

    return map_case


def _seedable(value: Any, candidates: Candidates) -> dict[str, tuple[Any, ...]]:
    """The fields of `value` a created value can fill: same JSON type, and the same name or one ending in it.

    `adminUserId` takes a `userId` and `excludeSessionId` a `sessionId`: a field named for the
    role a value plays still holds that kind of value.
    """
    if not isinstance(value, dict) or not candidates:
        return {}
    fields = {}
    for name, current in value.items():
        named = candidates.get(name) or next(
            (options for key, options in candidates.items() if key and name.endswith(key[0].upper() + key[1:])), ()
        )
        options = tuple(option for option in named if _same_kind(option, current))
        if options:
            fields[name] = options
    return fields


def _same_kind(option: Any, current: Any) -> bool:
    if isinstance(current, bool) or isinstance(option, bool):
        return isinstance(current, bool) and isinstance(option, bool)
    if isinstance(current, (int, float)):
        return isinstance(option, (int, float)) and isinstance(option, type(current))
    return isinstance(option, str) and isinstance(current, str)
