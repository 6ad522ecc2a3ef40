"""The broker's environments, read by the gate and created only by whoever owns the broker.

Judging never writes: a mistyped environment must not be created and then judged empty. So an
environment is looked up by name, and an unknown one is an error naming those that exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from solo60.harness.broker_access import BrokerClient


class UnknownEnvironment(LookupError):
    """No environment has this name; the message names the ones the broker knows."""

    def __init__(self, name: str, known: list[str], broker: str) -> None:
        listed = ", ".join(sorted(known)) if known else "none (create one with `pact broker create-environment`)"
        super().__init__(f"the broker at {broker} has no environment {name!r}; its environments: {listed}")
        self.name = name
        self.known = known


@dataclass(frozen=True)
class Environment:
    uuid: str
    name: str
    production: bool


def environments(client: BrokerClient) -> list[Environment]:
    found = client.get(client.link("pb:environments"))
    return [_environment(item) for item in found.get("_embedded", {}).get("environments", [])]


def environment_named(client: BrokerClient, name: str) -> Environment:
    """The environment called `name`; `UnknownEnvironment` naming the others when there is none."""
    known = environments(client)
    for environment in known:
        if environment.name == name:
            return environment
    raise UnknownEnvironment(name, [environment.name for environment in known], client.base_url)


def create_environment(client: BrokerClient, name: str, *, production: bool) -> Environment:
    """Create an environment (for a broker the caller owns, such as the pipeline's embedded one)."""
    created = client.post(client.link("pb:environments"), {"name": name, "production": production})
    return _environment(created)


def _environment(item: dict[str, Any]) -> Environment:
    return Environment(str(item.get("uuid", "")), str(item.get("name", "")), bool(item.get("production", False)))
