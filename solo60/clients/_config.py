"""Where a client finds its target and how patient it is: configuration objects, read from the environment.

| variable | default | meaning |
| --- | --- | --- |
| `<TARGET>_SERVICE_URL` | required | base URL of the target, e.g. `PAYMENT_SERVICE_URL=http://payment:8105` |
| `<CALLER>_SERVICE_API_KEY` | `SERVICE_API_KEY` | the caller's own `x-api-key`, e.g. `SESSION_SERVICE_API_KEY` |
| `SERVICE_API_KEY` | the development key | the caller's `x-api-key`; one of the two is required in production |
| `SOLO60_CLIENT_CONNECT_TIMEOUT` | `1.0` | seconds to open a connection |
| `SOLO60_CLIENT_ATTEMPT_TIMEOUT` | `5.0` | seconds one attempt may wait for reading, writing or a pooled connection |
| `SOLO60_CLIENT_DEADLINE` | `15.0` | seconds for the whole call, retries and their waits included |
| `SOLO60_CLIENT_RETRY_ATTEMPTS` | `3` | tries of a retry-safe call, the first included (1 turns retries off) |
| `SOLO60_CLIENT_RETRY_BACKOFF` | `0.1` | seconds before the first retry; doubles with each retry |
| `SOLO60_CLIENT_RETRY_MAX_BACKOFF` | `2.0` | the longest wait between two tries |
| `SOLO60_CLIENT_RETRY_JITTER` | `0.1` | up to this many seconds added at random to each wait |
| `SOLO60_CLIENT_BREAKER_FAILURES` | `5` | consecutive failures that open the target's circuit |
| `SOLO60_CLIENT_BREAKER_COOL_DOWN` | `10.0` | seconds the circuit stays open before one probe call |

Each `SOLO60_CLIENT_*` variable may be overridden for one target as `<TARGET>_CLIENT_*`,
e.g. `PAYMENT_CLIENT_DEADLINE=30`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, Self, TypeVar

from solo60.environment import DEVELOPMENT_API_KEY, ConfigurationError, calling_key_variable, service_url_variable

API_KEY_VARIABLE = "SERVICE_API_KEY"


@dataclass(frozen=True)
class Timeouts:
    """How long one attempt may take, and the whole call with its retries (seconds)."""

    connect: float = 1.0
    attempt: float = 5.0
    deadline: float = 15.0

    def __post_init__(self) -> None:
        _require_positive(self)


@dataclass(frozen=True)
class RetryPolicy:
    """How retry-safe calls are retried: exponential backoff with jitter, `Retry-After` honoured."""

    attempts: int = 3
    backoff: float = 0.1
    max_backoff: float = 2.0
    jitter: float = 0.1

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("RetryPolicy.attempts counts the first try, so it is at least 1")
        if min(self.backoff, self.max_backoff, self.jitter) < 0:
            raise ValueError("RetryPolicy waits cannot be negative")


@dataclass(frozen=True)
class BreakerPolicy:
    """When a target's circuit opens (consecutive failures) and how long before a probe (seconds)."""

    failures: int = 5
    cool_down: float = 10.0

    def __post_init__(self) -> None:
        if self.failures < 1:
            raise ValueError("BreakerPolicy.failures must be at least 1")
        _require_positive(self)


@dataclass(frozen=True)
class ClientConfig:
    """Everything a client needs to call one target on behalf of one calling service."""

    base_url: str
    caller: str
    api_key: str = DEVELOPMENT_API_KEY
    timeouts: Timeouts = field(default_factory=Timeouts)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    breaker: BreakerPolicy = field(default_factory=BreakerPolicy)
    target: str | None = None
    """The service this configuration points at, when known; a client of another service refuses it."""

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must be an http(s) URL, not {self.base_url!r}")
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))
        if not self.caller:
            raise ValueError("caller names the calling service (sent as x-service-name); it cannot be empty")
        if not self.api_key:
            raise ValueError("api_key cannot be empty")

    @classmethod
    def from_env(cls, target: str, *, caller: str, environ: Mapping[str, str] | None = None) -> Self:
        """The configuration for calling `target` from `caller`, read from environment variables."""
        env = os.environ if environ is None else environ
        url_variable = service_url_variable(target)
        base_url = env.get(url_variable, "").strip()
        if not base_url:
            raise ConfigurationError(
                f"{url_variable} is not set: it tells the {caller} service where the {target} service listens, "
                f"e.g. {url_variable}=http://127.0.0.1:8101"
            )
        production = env.get("SOLO60_ENV") == "production"
        own_variable = calling_key_variable(caller)
        key_variable = own_variable if env.get(own_variable, "").strip() else API_KEY_VARIABLE
        api_key = env.get(key_variable, "").strip()
        if production and (not api_key or api_key == DEVELOPMENT_API_KEY):
            raise ConfigurationError(
                f"{own_variable} (or {API_KEY_VARIABLE}) must be set to the {caller} service's own key in production"
            )
        timeouts = _policy_from_env(Timeouts(), "", target, env)
        retry = _policy_from_env(RetryPolicy(), "RETRY_", target, env)
        breaker = _policy_from_env(BreakerPolicy(), "BREAKER_", target, env)
        try:
            return cls(base_url, caller, api_key or DEVELOPMENT_API_KEY, timeouts, retry, breaker, target=target)
        except ValueError as error:
            raise ConfigurationError(f"{url_variable} or {key_variable}: {error}") from None


Policy = TypeVar("Policy", Timeouts, RetryPolicy, BreakerPolicy)

_VARIABLE_NAMES = {"connect": "CONNECT_TIMEOUT", "attempt": "ATTEMPT_TIMEOUT"}


def _policy_from_env(default: Policy, prefix: str, target: str, env: Mapping[str, str]) -> Policy:
    changes: dict[str, Any] = {}
    sources: list[str] = []
    for policy_field in fields(default):
        suffix = prefix + _VARIABLE_NAMES.get(policy_field.name, policy_field.name.upper())
        for variable in (f"{target.upper()}_CLIENT_{suffix}", f"SOLO60_CLIENT_{suffix}"):
            raw = env.get(variable, "").strip()
            if raw:
                kind = type(getattr(default, policy_field.name))
                try:
                    changes[policy_field.name] = kind(raw)
                except ValueError:
                    raise ConfigurationError(f"{variable}={raw!r} is not a {kind.__name__}") from None
                sources.append(f"{variable}={raw}")
                break
    try:
        return replace(default, **changes)
    except ValueError as error:
        raise ConfigurationError(f"{', '.join(sources)}: {error}") from None


def _require_positive(policy: Any) -> None:
    for policy_field in fields(policy):
        value = getattr(policy, policy_field.name)
        if isinstance(value, float | int) and value <= 0:
            raise ValueError(f"{type(policy).__name__}.{policy_field.name} must be positive, not {value}")
