"""Verify a live provider against its pacts with the official verifier, and say what failed.

Message pacts (V4 asynchronous messages) are verified through the verifier's message
transport: it POSTs each message's description and provider states to the provider's
`/_pact/messages`, where the producer's real event-building code answers with the event.

Provider states are set through the provider's own state-change route (a URL handler, as a
non-Python provider would expose it, and without pact-python's half-second callback-server
shutdown per run). The verifier's bare `RuntimeError` is turned into a report naming the
pair, the interaction, its provider states and each mismatch (field path, expected, actual),
and the pacts it could not load (a broker refusing the credentials, say) are errors of that
report, never "nothing to verify".

Pacts from a broker are fetched with the `BrokerAccess` every entry point resolves, passed to
the verifier explicitly. Before the verifier runs, the broker is asked for its index (so a
refused credential, an unreachable broker or a failing one is a `BrokerError` naming the
broker and the status) and, when results are to be published, the provider version is
recorded on its branch, the first thing the verifier itself would publish: read-only
credentials are refused there, clearly, rather than after a verification whose results the
verifier then fails to publish without failing.
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

from solo60.harness.broker_access import BrokerAccess, BrokerClient, segment
from solo60.harness.versions import Revision

os.environ.setdefault("PACT_DO_NOT_TRACK", "true")

PROVIDER_STATES_PATH = "/_pact/provider-states"
MESSAGES_PATH = "/_pact/messages"
"""Where a provider builds the events its message pacts describe (`kit/events/provider_messages.py`)."""
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

    errors: list[str] = field(default_factory=list)
    """What the verifier could not do at all, such as loading a pact."""

    @property
    def ok(self) -> bool:
        return bool(self.interactions) and not self.failures and not self.errors

    def pairs(self) -> dict[str, list[InteractionResult]]:
        by_pair: dict[str, list[InteractionResult]] = {}
        for result in self.interactions:
            by_pair.setdefault(result.pair, []).append(result)
        return by_pair

    def describe_failures(self) -> str:
        failed = self.failures + self.pending_failures
        lines = [f"{self.provider}: {error}" for error in self.errors]
        if not self.interactions:
            return "\n".join([*lines, f"no interaction was verified for {self.provider}"])
        lines.append(f"{len(self.failures)} of {len(self.interactions)} interactions of {self.provider} failed:")
        lines += [result.render() for result in failed]
        return "\n".join(lines)


@dataclass(frozen=True)
class BrokerSource:
    """Where and how to fetch pacts from a broker: selectors, pending and WIP pacts."""

    access: BrokerAccess
    selectors: Sequence[dict[str, Any]] = DEFAULT_SELECTORS
    include_pending: bool = True
    include_wip_since: str | None = None
    provider_branch: str | None = None


@dataclass(frozen=True)
class ResultsPublication:
    """Publish the verification results to the broker, as this provider version on this branch."""

    revision: Revision
    tags: Sequence[str] = ()
    build_url: str | None = None


class NoPactsError(RuntimeError):
    """There is nothing to verify: say where the pacts were looked for."""


class VerifierFailed(RuntimeError):
    """The verifier stopped without verifying or reporting anything; the message carries its output."""


def verify(
    provider: str,
    base_url: str,
    *,
    pacts: Iterable[Path] = (),
    broker: BrokerSource | None = None,
    publish: ResultsPublication | None = None,
    request_timeout_ms: int = 10_000,
    quiet: bool = False,
) -> VerificationReport:
    """Verify `provider` at `base_url` against local pact files or a broker's pacts.

    The verifier writes its own report to file descriptor 1; `quiet=True` keeps it off the
    terminal (the returned report still holds it, in `output`).
    """
    from pact import Verifier

    address = urlsplit(base_url)
    host = address.hostname or "127.0.0.1"
    verifier = (
        Verifier(provider, host=host)
        .add_transport(url=base_url)
        .add_transport(protocol="message", port=address.port, path=MESSAGES_PATH, scheme=address.scheme or "http")
        .state_handler(f"{base_url}{PROVIDER_STATES_PATH}", teardown=True, body=True)
        .set_request_timeout(request_timeout_ms)
        .set_coloured_output(enabled=False)
    )
    sources = [Path(path) for path in pacts]
    for path in sources:
        verifier.add_source(path)
    if broker is not None:
        with broker.access.client() as client:
            client.check()
            if publish is not None:
                record_provider_version(client, provider, publish.revision)
        _add_broker(verifier, broker)
    elif not sources:
        raise NoPactsError(f"no pacts to verify {provider} against")
    if publish is not None and broker is not None:
        revision = publish.revision
        verifier.set_publish_options(
            version=revision.version, url=publish.build_url, branch=revision.branch, tags=list(publish.tags) or None
        )
    failed: RuntimeError | None = None
    with _stdout_silenced() if quiet else contextlib.nullcontext():
        try:
            verifier.verify()
        except RuntimeError as error:  # the report says what failed, when there is a report
            failed = error
    report = _report(provider, verifier)
    if failed is not None and not report.interactions and not report.errors:
        tail = "\n".join(report.output.strip().splitlines()[-20:])
        raise VerifierFailed(f"the verifier stopped for {provider} without a result ({failed}):\n{tail}") from failed
    return report


def record_provider_version(client: BrokerClient, provider: str, revision: Revision) -> None:
    """The provider version on its branch, as the verifier records it before publishing results."""
    client.put(
        f"/pacticipants/{segment(provider)}/branches/{segment(revision.branch)}/versions/{segment(revision.version)}",
        {},
    )


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
    access = broker.access
    builder = verifier.broker_source(access.url, selector=True, **access.verifier_credentials())
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
    errors = [_error(item) for item in results.get("errors", []) if item]
    output = verifier.output(strip_ansi=True)
    return VerificationReport(
        provider=provider, interactions=interactions, output=output, notices=notices, errors=errors
    )


def _error(item: Any) -> str:
    """`Failed to load pact: <why>`, from one of the verifier's errors."""
    if not isinstance(item, dict):
        return str(item)
    mismatch = item.get("mismatch") or {}
    message = mismatch.get("message") if isinstance(mismatch, dict) else None
    return f"{item.get('interaction', 'error')}: {message or mismatch or ''}".rstrip(": ")


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
