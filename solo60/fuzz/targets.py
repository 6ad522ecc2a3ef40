"""What can be fuzzed: each service's internal API and the broker's own API.

A target knows its OpenAPI document without a running server (so pytest can parametrize over
its operations at import time), how its callers authenticate, and which provider states give
the ids in its examples something to find.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from solo60.services import SERVICE_NAMES

BROKER = "broker"
TARGET_NAMES: tuple[str, ...] = (*SERVICE_NAMES, BROKER)

DEFAULT_WORKERS = min(4, os.cpu_count() or 1)
"""`solo60 fuzz` fuzzes one target per CPU at once. Kept here, not in `runner`, so the `solo60`
command can name it without importing the fuzzing engine (a second of start-up for every command)."""

OPENAPI_PATH = {"service": "/internal/openapi.json", "broker": "/openapi.json"}


class UnknownTarget(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(f"unknown fuzz target {name!r}; choose from {', '.join(TARGET_NAMES)}")


@dataclass(frozen=True)
class Seed:
    """A provider state set up before fuzzing, so the documented example ids exist."""

    state: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FuzzTarget:
    name: str
    kind: Literal["service", "broker"]
    document: Callable[[], dict[str, Any]]
    seeds: tuple[Seed, ...] = ()

    @property
    def openapi_path(self) -> str:
        return OPENAPI_PATH[self.kind]


SEEDS: dict[str, tuple[Seed, ...]] = {
    "user": (
        Seed("a user exists", {"userId": "123", "email": "ada@example.com"}),
        Seed("a user exists", {"userId": "456", "email": "grace@example.com", "name": "Grace Hopper"}),
        Seed("a user holds a role", {"userId": "42", "role": "GYM_ADMIN"}),
    ),
    "auth": (Seed("an account exists"), Seed("a valid token exists")),
    "gym": (Seed("a gym exists", {"gymId": "gym-1", "adminUserId": "42"}),),
    "session": (Seed("a session exists"),),
    "payment": (Seed("a user has credits"),),
    "subscription": (Seed("a user has an active subscription"),),
    "communication": (Seed("a user can receive email"), Seed("an email was queued")),
}
"""The states every service started for fuzzing is in: their defaults match the ids in the documents'
examples (`123`, `gym-1`, ...); besides member 123, a second member (456) and gym-1's admin (42),
so a call that looks up a member or the gym's admin upstream can find one."""


def seeded_values() -> dict[str, tuple[Any, ...]]:
    """The ids and emails the seeds name, by field: data a service's upstreams hold in every owned run."""
    found: dict[str, dict[str, Any]] = {}
    for seeds in SEEDS.values():
        for seed in seeds:
            for name, value in seed.params.items():
                found.setdefault(name, {}).setdefault(repr(value), value)
    return {name: tuple(values.values()) for name, values in found.items()}


def fuzz_target(name: str) -> FuzzTarget:
    """The target called `name`: a service or `broker`."""
    if name == BROKER:
        return FuzzTarget(BROKER, "broker", _broker_document)
    if name not in SERVICE_NAMES:
        raise UnknownTarget(name)
    return FuzzTarget(name, "service", lambda: _service_document(name), SEEDS.get(name, ()))


def _service_document(name: str) -> dict[str, Any]:
    from solo60.contracts.openapi import openapi_document
    from solo60.services import definition

    return openapi_document(definition(name).contract)


def broker_settings(username: str | None = None, password: str | None = None) -> Any:
    """The broker as a fuzz target runs: basic auth enforced, no webhook worker, calls out only to 127.0.0.1.

    Its document is built from these settings too, so what is fuzzed is what is documented.
    """
    from broker.config import AuthSettings, BrokerSettings, WebhookPolicy

    return BrokerSettings(
        auth=AuthSettings(username=username or "fuzz", password=password or "fuzz"),
        webhooks=WebhookPolicy(host_allow_list=("127.0.0.1",), retry_schedule=(0.5,), timeout_seconds=2),
        run_webhook_worker=False,
        access_log=False,
    )


def _broker_document() -> dict[str, Any]:
    from broker.api.openapi import build_document
    from broker.api.resources import build_router

    return build_document(build_router(), broker_settings())
