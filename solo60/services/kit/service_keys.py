"""Which keys a provider accepts, and which caller each one names.

Keys are configured per caller as `caller:key` entries, in `SERVICE_API_KEYS` (comma-separated)
or in `SERVICE_API_KEYS_FILE` (one entry a line, `#` comments), so a provider knows the caller
from the key alone. A bare entry without `caller:` is a shared key: its holders say who they are
in `x-service-name` and nobody checks. The development key `solo60-dev-key` is one, which keeps
a local setup, pacts, verification and fuzzing free of configuration; production refuses them.

Rotation needs no restart of a provider when the keys live in the file: it is re-read when it
changes, and rewriting it never narrows the accepted set by accident. Keys on complete lines of
a new version are accepted at once; keys missing from it are dropped only once the file has
stayed unchanged for `settle_seconds`; a version without any usable key is never applied. So a
reader racing a writer (the file truncated, then written) keeps accepting every key of both.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from solo60.environment import DEVELOPMENT_API_KEY, ConfigurationError

logger = logging.getLogger("solo60.services.auth")

SETTLE_SECONDS = 2.0
"""How long the keys file must stay unchanged before keys missing from it stop being accepted."""

_CALLER_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class KeyEntry:
    """One accepted key, bound to a caller, or shared (`caller` None) when configured bare."""

    caller: str | None
    key: bytes


@dataclass(frozen=True)
class Caller:
    """Who a request comes from, as far as its key tells."""

    name: str | None
    """The caller's name: the key's, or for a shared key whatever `x-service-name` claims."""
    verified: bool
    """Whether the key itself names the caller (not a shared key)."""
    principal: str
    """What rate limits count by: the caller a key is bound to, else the shared key itself."""


def parse_entries(text: str, *, source: str) -> list[KeyEntry]:
    """`caller:key` or bare `key` entries, separated by commas or new lines; `#` starts a comment."""
    entries: list[KeyEntry] = []
    bound_to: dict[bytes, str | None] = {}
    for line in text.splitlines():
        for item in line.split("#", 1)[0].split(","):
            item = item.strip()
            if not item:
                continue
            name, separator, key = item.partition(":")
            entry = (
                KeyEntry(name, key.strip().encode())
                if separator and _CALLER_NAME.match(name) and key.strip()
                else KeyEntry(None, item.encode())
            )
            if entry.key in bound_to and bound_to[entry.key] != entry.caller:
                raise ConfigurationError(f"{source}: one key is given to two callers; every caller needs its own key")
            bound_to[entry.key] = entry.caller
            entries.append(entry)
    return entries


def shared_key_refusal(entries: Iterable[KeyEntry], source: str) -> str | None:
    """Why production refuses these entries (a shared key, the development key), or None."""
    if any(entry.key == DEVELOPMENT_API_KEY.encode() for entry in entries):
        return f"{source} holds the development key {DEVELOPMENT_API_KEY!r}; production needs keys of its own"
    if any(entry.caller is None for entry in entries):
        return (
            f"{source} holds a key without a caller; in production every key names the service that "
            "sends it, as caller:key (e.g. session:3f9c...)"
        )
    return None


class KeysFile:
    """The keys file, followed so that rewriting it in place never narrows the accepted set."""

    def __init__(
        self,
        path: Path,
        *,
        production: bool = False,
        settle_seconds: float = SETTLE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = path
        self.production = production
        self.settle_seconds = settle_seconds
        self.clock = clock
        self._applied: tuple[KeyEntry, ...] = ()
        self._provisional: tuple[KeyEntry, ...] = ()
        self._signature: tuple[int, int, int] | None = None
        self._changed_at = clock()
        self._settled = False
        self._lock = threading.Lock()
        self.problem: str | None = None
        """Why the last version read was not applied, if it was not."""
        self.entries()

    def entries(self) -> tuple[KeyEntry, ...]:
        """The keys of the last settled version, plus those on complete lines of a newer one."""
        try:
            status = self.path.stat()
        except OSError:  # missing for a moment (replaced by rename, or not yet written): keep what we had
            return self._applied + self._provisional
        signature = (status.st_ino, status.st_size, status.st_mtime_ns)
        now = self.clock()
        with self._lock:
            if signature != self._signature:
                self._signature, self._changed_at, self._settled = signature, now, False
                text = self._read()
                if text is not None:
                    complete = text[: text.rfind("\n") + 1]  # a line still being written is not a key yet
                    self._provisional = tuple(self._acceptable(complete, provisional=True))
            if not self._settled and (now - self._changed_at >= self.settle_seconds or not self._applied):
                self._settle()
            return self._applied + self._provisional

    def _settle(self) -> None:
        text = self._read()
        if text is None:
            return
        entries = self._acceptable(text, provisional=False)
        if entries:
            self._applied = tuple(entries)
            self._provisional = ()
            self._settled = True
        elif self._applied:
            logger.warning("%s holds no usable key; keeping the %d keys it held before", self.path, len(self._applied))
            self._settled = True

    def _read(self) -> str | None:
        try:
            return self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            self.problem = f"cannot read {self.path}: {error}"
            logger.warning("%s", self.problem)
            return None

    def _acceptable(self, text: str, *, provisional: bool) -> list[KeyEntry]:
        try:
            entries = parse_entries(text, source=str(self.path))
            refusal = shared_key_refusal(entries, str(self.path)) if self.production else None
        except ConfigurationError as error:
            refusal, entries = str(error), []
        if refusal:
            if not provisional:
                self.problem = refusal
                logger.error("ignoring this version of the keys file: %s", refusal)
            return []
        if not provisional:
            self.problem = None if entries else f"{self.path} holds no key"
        return entries


class ServiceKeys:
    """The accepted keys: static ones from settings, plus the keys file when there is one."""

    def __init__(
        self,
        keys: tuple[str, ...],
        keys_file: Path | None = None,
        *,
        production: bool = False,
        settle_seconds: float = SETTLE_SECONDS,
    ) -> None:
        self._static = tuple(parse_entries(",".join(keys), source="SERVICE_API_KEYS"))
        self._file = KeysFile(keys_file, production=production, settle_seconds=settle_seconds) if keys_file else None
        if production:
            refusal = shared_key_refusal(self._static, "SERVICE_API_KEYS")
            if refusal:
                raise ConfigurationError(refusal)
            if not self.entries():
                why = f" ({self._file.problem})" if self._file and self._file.problem else ""
                raise ConfigurationError(
                    f"SERVICE_API_KEYS and SERVICE_API_KEYS_FILE give no usable caller:key entry{why}; "
                    "a provider without keys would refuse every call"
                )

    def entries(self) -> tuple[KeyEntry, ...]:
        return self._static + (self._file.entries() if self._file else ())

    def identify(self, presented: bytes | None, claimed: str | None = None) -> Caller | None:
        """The caller this key belongs to, or None when no accepted key matches."""
        if not presented:
            return None
        found: KeyEntry | None = None
        for entry in self.entries():
            if hmac.compare_digest(entry.key, presented) and found is None:  # no early exit: time tells nothing
                found = entry
        if found is None:
            return None
        if found.caller is not None:
            return Caller(found.caller, verified=True, principal=found.caller)
        fingerprint = hashlib.sha256(found.key).hexdigest()[:12]
        return Caller(claimed, verified=False, principal=f"shared key {fingerprint}")

    def accepts(self, presented: bytes | None) -> bool:
        return self.identify(presented) is not None
