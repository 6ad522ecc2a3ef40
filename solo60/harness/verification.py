"""Verify a live provider against its pacts with the official verifier, and say what failed.

Provider states are set through the provider's own state-change route (a URL handler, as a
non-Python provider would expose it, and without pact-python's half-second callback-server
shutdown per run). The verifier's bare `RuntimeError` is turned into a report naming the
pair, the interaction, its provider states and each mismatch (field path, expected, actual).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

os.environ.setdefault("PACT_DO_NOT_TRACK", "true")

PROVIDER_STATES_PATH = "/_pact/provider-states"
DEFAULT_SELECTORS: tuple[dict[str, Any], ...] = (
    {"mainBranch": True},
    {"deployedOrReleased": True},
    {"matchingBranch": True},
)
_SELECTOR_ARGUMENTS = {
    "mainBranch": "main_branch",
    "deployedOrReleased": "deployed_or_released",
    "matchingBranch": "matching_branch",
    "fallbackBranch": "fallback_branch",
    "fallbackTag": "fallback_tag",
}
_MISSING_KEYS = re.compile(r"missing the following keys: (.+)$")


@dataclass(frozen=True)
class Mismatch:
    """One way a provider's answer differed from the pact."""

    kind: str
    path: str
    expected: str
    actual: str
    description: str

    def render(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{self.kind} {where}{self.description} (expected {self.expected}, actual {self.actual})"


@dataclass(frozen=True)
class InteractionResult:
    consumer: str
    provider: str
    description: str
    states: tuple[str, ...]
    ok: bool
    pending: bool
    mismatches: tuple[Mismatch, ...] = ()
    error: str = ""

    @property
    def pair(self) -> str:
        return f"{self.consumer} -> {self.provider}"

    def render(self) -> str:
        given = f" given {' and '.join(repr(state) for state in self.states)}" if self.states else ""
        lines = [f"{self.pair}: {self.description!r}{given}{' (pending)' if self.pending else ''}"]
        lines += [f"    {mismatch.render()}" for mismatch in self.mismatches]
        if self.error:
            lines.append(f"    {self.error}")
        return "\n".join(lines)


@dataclass
class VerificationReport:
    provider: str
    interactions: list[InteractionResult] = field(default_factory=list)
    output: str = ""
    notices: list[str] = field(default_factory=list)

    @property
    def failures(self) -> list[InteractionResult]:
        """Failures that fail the build (a pending pact's failures do not)."""
        return [result for result in self.interactions if not result.ok and not result.pending]

    @property
    def pending_failures(self) -> list[InteractionResult]:
        return [result for result in self.interactions if not result.ok and result.pending]

    @property
    def ok(self) -> bool:
        return bool(self.interactions) and not self.failures

    def pairs(self) -> dict[str, list[InteractionResult]]:
        by_pair: dict[str, list[InteractionResult]] = {}
        for result in self.interactions:
            by_pair.setdefault(result.pair, []).append(result)
        return by_pair

    def describe_failures(self) -> str:
        failed = self.failures + self.pending_failures
        if not self.interactions:
            return f"no interaction was verified for {self.provider}"
        lines = [f"{len(self.failures)} of {len(self.interactions)} interactions of {self.provider} failed:"]
        lines += [result.render() for result in failed]
        return "\n".join(lines)


@dataclass(frozen=True)
class BrokerSource:
    """Where and how to fetch pacts from a broker: selectors, pending and WIP pacts."""

    url: str
    username: str | None = None
    password: str | None = None
    token: str | None = None
    selectors: Sequence[dict[str, Any]] = DEFAULT_SELECTORS
    include_pending: bool = True
    include_wip_since: str | None = None
    provider_branch: str | None = None


@dataclass(frozen=True)
class PublishOptions:
    version: str
    branch: str | None = None
    tags: Sequence[str] = ()
    build_url: str | None = None


class NoPactsError(RuntimeError):
    """There is nothing to verify: say where the pacts were looked for."""


def verify(
    provider: str,
    base_url: str,
    *,
    pacts: Iterable[Path] = (),
    broker: BrokerSource | None = None,
    publish: PublishOptions | None = None,
    request_timeout_ms: int = 10_000,
    quiet: bool = False,
) -> VerificationReport:
    """Verify `provider` at `base_url` against local pact files or a broker's pacts.

    The verifier writes its own report to file descriptor 1; `quiet=True` keeps it off the
    terminal (the returned report still holds it, in `output`).
    """
    from pact import Verifier

    host = urlsplit(base_url).hostname or "127.0.0.1"
    verifier = (
        Verifier(provider, host=host)
        .add_transport(url=base_url)
        .state_handler(f"{base_url}{PROVIDER_STATES_PATH}", teardown=True, body=True)
        .set_request_timeout(request_timeout_ms)
        .set_coloured_output(enabled=False)
    )
    sources = [Path(path) for path in pacts]
    for path in sources:
        verifier.add_source(path)
    if broker is not None:
        _add_broker(verifier, broker)
    elif not sources:
        raise NoPactsError(f"no pacts to verify {provider} against")
    if publish is not None:
        verifier.set_publish_options(
            version=publish.version, url=publish.build_url, branch=publish.branch, tags=list(publish.tags) or None
        )
    # The report says what failed; the verifier's RuntimeError carries nothing more.
    with _stdout_silenced() if quiet else contextlib.nullcontext(), contextlib.suppress(RuntimeError):
        verifier.verify()
    return _report(provider, verifier)


@contextlib.contextmanager
def _stdout_silenced() -> Iterator[None]:
    """Redirect the process's file descriptor 1 (the Rust verifier bypasses sys.stdout)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _add_broker(verifier: Any, broker: BrokerSource) -> None:
    credentials: dict[str, Any] = {"use_env": False}
    if broker.token:
        credentials["token"] = broker.token
    elif broker.username:
        credentials.update(username=broker.username, password=broker.password)
    builder = verifier.broker_source(broker.url, selector=True, **credentials)
    for selector in broker.selectors:
        builder = builder.consumer_version(
            **{_SELECTOR_ARGUMENTS.get(key, key): value for key, value in selector.items()}
        )
    builder = builder.include_pending() if broker.include_pending else builder.exclude_pending()
    if broker.include_wip_since:
        builder = builder.include_wip_since(broker.include_wip_since)
    if broker.provider_branch:
        builder = builder.provider_branch(broker.provider_branch)
    builder.build()


def _report(provider: str, verifier: Any) -> VerificationReport:
    results = verifier.results or {}
    interactions = [_interaction(provider, item) for item in results.get("interactionResults", [])]
    notices = [str(notice.get("text", notice)) for notice in results.get("notices", []) if notice]
    output = verifier.output(strip_ansi=True)
    return VerificationReport(provider=provider, interactions=interactions, output=output, notices=notices)


def _interaction(provider: str, item: dict[str, Any]) -> InteractionResult:
    mismatch = item.get("mismatch") or {}
    mismatches: list[Mismatch] = []
    error = ""
    if mismatch.get("type") == "mismatches":
        mismatches = [_mismatch(entry) for entry in mismatch.get("mismatches", [])]
    elif mismatch:
        error = str(mismatch.get("message", mismatch))
    return InteractionResult(
        consumer=item.get("consumer", "?"),
        provider=item.get("provider", provider),
        description=item.get("description", "?"),
        states=tuple(item.get("providerStates", [])),
        ok=item.get("result") == "OK",
        pending=bool(item.get("pending")),
        mismatches=tuple(mismatches),
        error=error,
    )


def _mismatch(entry: dict[str, Any]) -> Mismatch:
    kind = str(entry.get("type", "Mismatch")).removesuffix("Mismatch").lower() or "mismatch"
    description = str(entry.get("mismatch", ""))
    path = str(entry.get("path") or entry.get("key") or "")
    missing = _MISSING_KEYS.search(description)
    if missing and path in {"", "$"}:
        path = ", ".join(f"$.{key.strip()}" for key in missing.group(1).split(","))
    return Mismatch(
        kind=kind,
        path=path,
        expected=_short(entry.get("expected")),
        actual=_short(entry.get("actual")),
        description=description,
    )


def _short(value: Any, limit: int = 200) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
