"""Tolerant reading of responses, and recording which response fields a consumer's code reads.

A client parses an answer into the route's response model, but a consumer rarely uses every
field of it. So a client parses with a *tolerant* variant of the model (a subclass, so
`isinstance` and type hints hold): a required field the provider left out is simply absent,
and reading it raises `UnsentField` naming it. A provider may then drop or rename any field no
consumer reads, and only the consumer that reads it notices.

While a consumer's contract test drives its code, `recording()` is active: the client then
parses with a *recording* variant, whose instances note every field the code reads (and mark
everything read when the code serialises or compares a whole model). The harness writes only
those fields into the pact's response (`solo60/harness/made/reads.py`), so a pact states what
the consumer uses, found from its code rather than from a list someone keeps.
"""

from __future__ import annotations

import copy
import types
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from typing import Any, ClassVar

from pydantic import BaseModel, create_model
from pydantic.fields import FieldInfo

from solo60.clients._exceptions import ContractError


class UnsentField(ContractError, AttributeError):
    """The consumer read a field the provider's answer did not carry: the answer breaks the contract
    for this consumer, so it is a `ContractError` (a service maps it to 503 naming the provider, as it
    does every answer outside the contract); an `AttributeError` too, so `getattr(x, name, default)`
    and `hasattr` keep their meaning."""


class _Unsent:
    def __repr__(self) -> str:
        return "UNSENT"


UNSENT: Any = _Unsent()


@dataclass
class ReadLog:
    """What the consumer's code read of one answer: field paths in wire names (`sessions[].status`)."""

    method: str
    url: str
    status: int
    read: set[str] = field(default_factory=set)
    whole: set[str] = field(default_factory=set)  # paths whose whole value was used (serialised, compared)
    models: set[str] = field(default_factory=set)  # paths where a model (an object of named fields) sits


@dataclass
class Recorder:
    logs: list[ReadLog] = field(default_factory=list)
    _tracked: dict[int, tuple[ReadLog, str]] = field(default_factory=dict)
    _kept: list[Any] = field(default_factory=list)  # instances stay alive so their ids stay theirs

    def track(self, instance: BaseModel, log: ReadLog, prefix: str) -> None:
        self._tracked[id(instance)] = (log, prefix)
        self._kept.append(instance)

    def where(self, instance: object) -> tuple[ReadLog, str] | None:
        return self._tracked.get(id(instance))


_RECORDER: ContextVar[Recorder | None] = ContextVar("solo60_read_recorder", default=None)


@contextmanager
def recording() -> Iterator[Recorder]:
    """Record, until the block ends, which response fields the code reads of every answer a client parses."""
    recorder = Recorder()
    token = _RECORDER.set(recorder)
    try:
        yield recorder
    finally:
        _RECORDER.reset(token)


@dataclass(frozen=True)
class Source:
    """Which call an answer came from, for the error a missing field raises."""

    service: str
    operation: str
    status: int


def parse(
    model: type[BaseModel],
    content: bytes,
    *,
    method: str,
    url: str,
    status: int,
    service: str = "",
    operation: str = "",
) -> BaseModel:
    """The answer as `model` (a tolerant or recording subclass of it); missing required fields are left out."""
    recorder = _RECORDER.get()
    source = Source(service, operation, status)
    variant = recording_variant(model, source) if recorder is not None else tolerant_variant(model, source)
    parsed = variant.model_validate_json(content)
    _drop_unsent(parsed)
    if recorder is not None:
        log = ReadLog(method, url, status)
        recorder.logs.append(log)
        _track(recorder, parsed, log, "")
    return parsed


# -- the variants ---------------------------------------------------------------------------------


class _Tolerant(BaseModel):
    __solo60_reads__: ClassVar[type[BaseModel]]  # the contract's model this class reads tolerantly
    __solo60_source__: ClassVar[Source]

    def __eq__(self, other: object) -> bool:
        """Equal to the contract's own model (and its other variants) with the same values."""
        if not isinstance(other, BaseModel):
            return NotImplemented
        theirs = getattr(type(other), "__solo60_reads__", type(other))
        if type(self).__solo60_reads__ is not theirs:
            return False
        return (
            self.__dict__ == other.__dict__
            and self.__pydantic_private__ == other.__pydantic_private__
            and self.__pydantic_extra__ == other.__pydantic_extra__
        )

    __hash__ = None  # type: ignore[assignment]

    def __getattr__(self, name: str) -> Any:
        if name in type(self).model_fields:
            wire = type(self).model_fields[name].alias or name
            model = type(self).__name__.removeprefix("Recorded").removeprefix("Tolerant")
            source = type(self).__solo60_source__
            raise UnsentField(
                f"the answer's {model} has no {wire!r}: the provider did not send it",
                service=source.service,
                operation=source.operation,
                status=source.status,
                field=wire,
                correlation_id=None,
            )
        return super().__getattr__(name)  # type: ignore[misc]


class _Recording(_Tolerant):
    def __getattribute__(self, name: str) -> Any:
        if not name.startswith("_") and name in type(self).model_fields:
            _note(self, name)
        return super().__getattribute__(name)

    def model_dump(self, *args: Any, **kwargs: Any) -> Any:
        _note_whole(self)
        return super().model_dump(*args, **kwargs)

    def model_dump_json(self, *args: Any, **kwargs: Any) -> str:
        _note_whole(self)
        return super().model_dump_json(*args, **kwargs)

    def __eq__(self, other: object) -> bool:
        _note_whole(self)
        return super().__eq__(other)

    __hash__ = None


NO_SOURCE = Source("", "", 0)


@cache
def tolerant_variant(model: type[BaseModel], source: Source = NO_SOURCE) -> type[BaseModel]:
    """`model` read tolerantly; one class per model and call, so a missing field names its call."""
    return _variant(model, source, recording=False)


@cache
def recording_variant(model: type[BaseModel], source: Source = NO_SOURCE) -> type[BaseModel]:
    return _variant(model, source, recording=True)


def _variant(model: type[BaseModel], source: Source, *, recording: bool) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        annotation = _substituted(info.annotation, source, recording)
        changed = annotation is not info.annotation
        if not info.is_required() and not changed:
            continue
        copied: FieldInfo = copy.copy(info)
        copied.annotation = annotation
        if info.is_required():
            copied.default = UNSENT
        fields[name] = (annotation, copied)
    mixin = _Recording if recording else _Tolerant
    prefix = "Recorded" if recording else "Tolerant"
    variant: type[BaseModel] = create_model(
        f"{prefix}{model.__name__}", __base__=(mixin, model), __module__=model.__module__, **fields
    )
    variant.__solo60_reads__ = model  # type: ignore[attr-defined]
    variant.__solo60_source__ = source  # type: ignore[attr-defined]
    return variant


def _substituted(hint: Any, source: Source, recording: bool) -> Any:
    """`hint` with every response model in it replaced by its variant."""
    if isinstance(hint, type) and issubclass(hint, BaseModel):
        return recording_variant(hint, source) if recording else tolerant_variant(hint, source)
    origin, arguments = typing.get_origin(hint), typing.get_args(hint)
    if origin is None or not arguments:
        return hint
    replaced = tuple(_substituted(argument, source, recording) for argument in arguments)
    if all(new is old for new, old in zip(replaced, arguments, strict=True)):
        return hint
    if origin is typing.Annotated:
        return typing.Annotated[(replaced[0], *hint.__metadata__)]
    if origin in (typing.Union, types.UnionType):
        return typing.Union[replaced]  # noqa: UP007
    generic: Any = origin  # list, dict, tuple, collections.abc.Sequence...: each takes its arguments again
    return generic[replaced]


# -- after parsing --------------------------------------------------------------------------------


def _children(value: Any) -> Iterator[tuple[str, Any]]:
    """(suffix, nested value) for the models inside a field's value."""
    if isinstance(value, BaseModel):
        yield "", value
    elif isinstance(value, list | tuple):
        for item in value:
            for suffix, nested in _children(item):
                yield "[]" + suffix, nested
    elif isinstance(value, dict):
        for item in value.values():
            for suffix, nested in _children(item):
                yield "{}" + suffix, nested


def _drop_unsent(instance: BaseModel) -> None:
    values = instance.__dict__
    for name in list(values):
        value = values[name]
        if value is UNSENT:
            del values[name]
            continue
        for _, nested in _children(value):
            _drop_unsent(nested)


def _wire(instance: BaseModel, name: str) -> str:
    info = type(instance).model_fields[name]
    return info.serialization_alias or info.alias or name


def _track(recorder: Recorder, instance: BaseModel, log: ReadLog, prefix: str) -> None:
    recorder.track(instance, log, prefix)
    log.models.add(prefix)
    for name, value in instance.__dict__.items():
        if name not in type(instance).model_fields:
            continue
        path = f"{prefix}.{_wire(instance, name)}" if prefix else _wire(instance, name)
        for suffix, nested in _children(value):
            _track(recorder, nested, log, path + suffix)


def _note(instance: BaseModel, name: str) -> None:
    recorder = _RECORDER.get()
    where = recorder.where(instance) if recorder is not None else None
    if where is None:
        return
    log, prefix = where
    wire = _wire(instance, name)
    log.read.add(f"{prefix}.{wire}" if prefix else wire)


def _note_whole(instance: BaseModel) -> None:
    recorder = _RECORDER.get()
    where = recorder.where(instance) if recorder is not None else None
    if where is not None:
        log, prefix = where
        log.whole.add(prefix)
