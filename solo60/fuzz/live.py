"""Live targets: started here on free ports, or already running at a URL someone gave us.

Services are started all seven together, because a call to one reaches its upstreams (a
signup calls the user and communication services), in a child process (see `processes`);
each on a fresh SQLite file, with provider states on so the fuzzer can seed the documented
example ids and reset between scenarios. A
target given by URL is fuzzed as it is: its data is never seeded, reset or emptied.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from solo60.environment import DEVELOPMENT_API_KEY
from solo60.fuzz.processes import services_in_child_process
from solo60.fuzz.targets import BROKER, FuzzTarget, broker_settings, fuzz_target
from solo60.services import SERVICE_NAMES

SECURITY_SCHEME = "ServiceApiKey"
PROVIDER_STATES_PATH = "/_pact/provider-states"
FUZZ_CALLER = "fuzz"


class SeedError(RuntimeError):
    """A provider state the fuzzer relies on could not be set up."""


@dataclass(frozen=True)
class LiveTarget:
    target: FuzzTarget
    url: str
    auth: Mapping[str, Any]
    """Schemathesis' `auth` configuration: the credentials, by the document's security scheme."""
    owned: bool = False
    """Started by us: its data may be seeded and reset."""
    empty: Callable[[], None] | None = field(default=None, compare=False, repr=False)
    """Deletes all the target's data; set for a broker started here, which has no state-change route."""

    @property
    def name(self) -> str:
        return self.target.name

    def reset(self, client: httpx.Client | None = None) -> None:
        """Empty an owned target's data and set up its seeds again; nothing for a target we were given."""
        if not self.owned:
            return
        if self.empty is not None:
            self.empty()
        if self.target.kind != "service":
            return
        with _client(client) as http:
            self._change(http, {"state": "", "action": "teardown"})
            self.seed(http)

    def seed(self, client: httpx.Client | None = None) -> None:
        if not self.owned:
            return
        with _client(client) as http:
            for seed in self.target.seeds:
                self.set_up(http, seed.state, dict(seed.params))

    @property
    def states_settable(self) -> bool:
        """Whether the fuzzer may set provider states up: a service we own (the broker has none)."""
        return self.owned and self.target.kind == "service"

    @property
    def state_headers(self) -> dict[str, str]:
        return {"x-service-name": FUZZ_CALLER}

    def set_up(self, http: httpx.Client, state: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Set one provider state up; the values it created (ids, tokens, emails), as the route answers them."""
        answer = self._change(http, {"state": state, "params": dict(params), "action": "setup"})
        return answer if isinstance(answer, dict) else {}

    def listed_states(self, http: httpx.Client) -> list[dict[str, Any]]:
        """The provider's own list of its states, each with the operations it gives data to."""
        response = http.get(f"{self.url}{PROVIDER_STATES_PATH}")
        if response.status_code in (404, 405):
            return []  # a provider that sets states up but does not list them
        if response.status_code != 200:
            raise SeedError(f"{self.name}: its provider-state listing answered {response.status_code}: {response.text}")
        states = response.json().get("states")
        return [state for state in states if isinstance(state, dict)] if isinstance(states, list) else []

    def _change(self, http: httpx.Client, body: dict[str, Any]) -> Any:
        response = http.post(f"{self.url}{PROVIDER_STATES_PATH}", json=body)
        if response.status_code != 200:
            raise SeedError(
                f"{self.name}: provider state {body['state']!r} answered {response.status_code}: {response.text}"
            )
        try:
            return response.json()
        except ValueError:
            return None


@dataclass
class LiveTargets:
    targets: dict[str, LiveTarget] = field(default_factory=dict)

    def __getitem__(self, name: str) -> LiveTarget:
        return self.targets[name]

    def __iter__(self) -> Iterator[LiveTarget]:
        return iter(self.targets.values())


def service_auth(api_key: str = DEVELOPMENT_API_KEY) -> dict[str, Any]:
    return {"openapi": {SECURITY_SCHEME: {"api_key": api_key}}}


def broker_auth(username: str, password: str) -> dict[str, Any]:
    return {"openapi": {"basicAuth": {"username": username, "password": password}}}


def service_environment(data_dir: str, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """What services started for fuzzing run with: provider states on, a private data directory, no throttling."""
    return {
        **(os.environ if base is None else base),
        "SOLO60_PROVIDER_STATES": "1",
        "SOLO60_DATA_DIR": data_dir,
        "SOLO60_RATE_LIMIT": "1000000/minute",
        "SOLO60_ENV": "test",
    }


@contextmanager
def live_targets(
    names: Sequence[str],
    *,
    urls: Mapping[str, str] | None = None,
    api_key: str | None = None,
    broker_credentials: tuple[str, str] | None = None,
    owned: bool = False,
) -> Iterator[LiveTargets]:
    """The targets `names`, each at its given URL or started here (and stopped on exit), seeded.

    `owned` says the given URLs are servers started for testing (provider states on), whose
    data may be seeded and reset like that of servers started here.
    """
    urls = dict(urls or {})
    key = api_key or _configured_key()
    live = LiveTargets()
    upstreams: list[LiveTarget] = []
    with ExitStack() as stack:
        to_start = [name for name in names if name not in urls]
        if any(name in SERVICE_NAMES for name in to_start):
            data_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="solo60-fuzz-"))
            environ = service_environment(data_dir)
            environ.pop("SERVICE_API_KEYS", None)
            environ.pop("SERVICE_API_KEYS_FILE", None)
            started = stack.enter_context(services_in_child_process(environ, Path(data_dir) / "services.log"))
            for name in to_start:
                if name in started:
                    live.targets[name] = LiveTarget(fuzz_target(name), started[name], service_auth(), owned=True)
            # The upstreams of a fuzzed service are seeded too, fuzzed or not: its calls find their data.
            upstreams = [
                LiveTarget(fuzz_target(name), url, service_auth(), owned=True)
                for name, url in started.items()
                if name not in live.targets
            ]
        if BROKER in to_start:
            from broker.testing import running_broker_server

            username, password = broker_credentials or ("fuzz", secrets.token_urlsafe(12))
            server = stack.enter_context(running_broker_server(settings=broker_settings(username, password)))
            live.targets[BROKER] = LiveTarget(
                fuzz_target(BROKER), server.url, broker_auth(username, password), owned=True, empty=server.empty
            )
        for name, url in urls.items():
            if name not in names:
                continue
            if name == BROKER:
                username, password = broker_credentials or _broker_credentials_from_env()
                auth = broker_auth(username, password)
            else:
                auth = service_auth(key)
            live.targets[name] = LiveTarget(fuzz_target(name), url.rstrip("/"), auth, owned=owned)
        with httpx.Client(timeout=10, headers={"x-service-name": FUZZ_CALLER}) as http:
            for target in [*live, *upstreams]:
                target.seed(http)
        live.targets = {name: live.targets[name] for name in names if name in live.targets}
        yield live


def _configured_key() -> str:
    keys = [key.strip() for key in os.environ.get("SERVICE_API_KEYS", "").split(",") if key.strip()]
    return keys[0] if keys else DEVELOPMENT_API_KEY


def _broker_credentials_from_env() -> tuple[str, str]:
    return os.environ.get("PACT_BROKER_USERNAME", ""), os.environ.get("PACT_BROKER_PASSWORD", "")


@contextmanager
def _client(client: httpx.Client | None) -> Iterator[httpx.Client]:
    if client is not None:
        yield client
        return
    with httpx.Client(timeout=10, headers={"x-service-name": FUZZ_CALLER}) as owned:
        yield owned
