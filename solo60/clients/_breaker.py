"""One circuit breaker per target service, shared by every client of that target in the process.

Closed: calls go through and consecutive failures are counted. After `failures` of them the
circuit opens: calls fail fast for `cool_down` seconds, sparing a struggling service the load
and the caller the wait. Then it is half-open: one probe call goes through while the others
still fail fast; a probe that succeeds closes the circuit, one that fails (or never finishes)
opens it for another cool-down.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from enum import StrEnum

from solo60.clients._config import BreakerPolicy


class CircuitState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class CircuitBreaker:
    """The health verdict on one target; thread-safe, since services may run in several threads."""

    def __init__(self, target: str, policy: BreakerPolicy, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.target = target
        self.policy = policy
        self._clock = clock
        self._lock = threading.Lock()
        self._state = CircuitState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._probing = False

    @property
    def state(self) -> CircuitState:
        with self._lock:
            if self._state is CircuitState.OPEN and self._cool_down_over():
                return CircuitState.HALF_OPEN
            return self._state

    @property
    def consecutive_failures(self) -> int:
        return self._failures

    def admit(self) -> bool:
        """Whether a call may go out now; False means fail fast."""
        with self._lock:
            if self._state is CircuitState.CLOSED:
                return True
            if self._state is CircuitState.OPEN and self._cool_down_over():
                self._state = CircuitState.HALF_OPEN
            if self._state is CircuitState.HALF_OPEN and not self._probing:
                self._probing = True
                return True
            return False

    def seconds_until_probe(self) -> float:
        with self._lock:
            return max(0.0, self._opened_at + self.policy.cool_down - self._clock())

    def record_success(self) -> None:
        with self._lock:
            self._state = CircuitState.CLOSED
            self._failures = 0
            self._probing = False

    def record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            if self._state is CircuitState.HALF_OPEN or self._failures >= self.policy.failures:
                self._open()

    def record_abandoned(self) -> None:
        """A call was cancelled before it had an answer: only a probe's silence counts against the target."""
        with self._lock:
            if self._state is CircuitState.HALF_OPEN and self._probing:
                self._open()

    def _open(self) -> None:
        self._state = CircuitState.OPEN
        self._opened_at = self._clock()
        self._probing = False

    def _cool_down_over(self) -> bool:
        return self._clock() >= self._opened_at + self.policy.cool_down

    def __repr__(self) -> str:
        return f"<CircuitBreaker {self.target}: {self.state}, {self._failures} consecutive failures>"


_breakers: dict[tuple[str, str, BreakerPolicy], CircuitBreaker] = {}
_registry_lock = threading.Lock()


def breaker_for(target: str, base_url: str, policy: BreakerPolicy) -> CircuitBreaker:
    """The process-wide breaker of one target (a service at one address, with one policy)."""
    key = (target, base_url, policy)
    with _registry_lock:
        breaker = _breakers.get(key)
        if breaker is None:
            breaker = _breakers[key] = CircuitBreaker(target, policy)
        return breaker


def reset_breakers() -> None:
    """Forget every target's verdict: for tests, whose servers may reuse a port another test left failing."""
    with _registry_lock:
        _breakers.clear()
