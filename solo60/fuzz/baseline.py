"""Findings accepted on purpose, or waiting for their owner, and the tally of one run against them.

Each entry of `baseline.json` names a target, an operation, a Schemathesis failure code and,
to stay narrow, the status, error code, field or a phrase of the provider's answer; every entry
carries a one-line reason. A finding no entry covers is new, and a new finding fails the run.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from solo60.fuzz.targets import TARGET_NAMES

if TYPE_CHECKING:
    from schemathesis import Case, Response
    from schemathesis.core.failures import Failure

BASELINE_PATH = Path(__file__).with_name("baseline.json")
ANY = "*"
PENDING_PREFIX = "pending fix by the "

Verdict = Literal["accepted", "pending"]
_CODE = re.compile(r"^ST\d{3}$")
_ENTRY_KEYS = {"target", "operation", "code", "status", "error", "field", "detail", "verdict", "reason"}


class BaselineError(ValueError):
    """The baseline file is not one a reviewer could have approved; the message says which entry."""


@dataclass(frozen=True)
class Finding:
    """One failure of one check, with what the provider answered and how to reproduce it."""

    target: str
    operation: str
    code: str
    title: str
    status: int | None = None
    error: str | None = None
    fields: frozenset[str] = frozenset()
    answer: str = ""
    """The start of the provider's answer, for entries that name a phrase of it."""
    message: str = ""
    reproduce: str = ""

    @property
    def key(self) -> tuple[object, ...]:
        """What makes two findings the same one: shrinking repeats a finding many times over."""
        return (self.target, self.operation, self.code, self.status, self.error, tuple(sorted(self.fields)))

    @classmethod
    def observe(cls, target: str, failure: Failure, case: Case, response: Response) -> Finding:
        error, fields = _answer(response.content)
        try:
            reproduce = case.as_curl_command(headers=dict(response.request.headers), verify=response.verify)
        except Exception:  # a reproduction is a courtesy; never lose the finding over it
            reproduce = ""
        return cls(
            target=target,
            operation=failure.operation or case.operation.label,
            code=failure.code,
            title=failure.title,
            status=response.status_code,
            error=error,
            fields=fields,
            answer=(response.content or b"")[:2000].decode("utf-8", "replace"),
            message=failure.message.strip(),
            reproduce=reproduce,
        )


@dataclass(frozen=True)
class BaselineEntry:
    target: str
    operation: str
    code: str
    verdict: Verdict
    reason: str
    status: int | None = None
    error: str | None = None
    field: str | None = None
    detail: str | None = None

    def covers(self, finding: Finding) -> bool:
        return (
            self.target in (ANY, finding.target)
            and self.operation in (ANY, finding.operation)
            and self.code == finding.code
            and self.status in (None, finding.status)
            and self.error in (None, finding.error)
            and (self.field is None or self.field in finding.fields)
            and (self.detail is None or self.detail in finding.answer)
        )

    @property
    def label(self) -> str:
        narrowing = [f"{name}={value}" for name, value in self._narrowing().items()]
        return " ".join([self.target, self.operation, self.code, *narrowing])

    def _narrowing(self) -> dict[str, object]:
        return {
            name: value
            for name, value in (
                ("status", self.status),
                ("error", self.error),
                ("field", self.field),
                ("detail", self.detail),
            )
            if value is not None
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], position: int) -> BaselineEntry:
        where = f"baseline entry {position}"
        unknown = set(data) - _ENTRY_KEYS
        if unknown:
            raise BaselineError(f"{where} has unknown keys {sorted(unknown)}; allowed: {sorted(_ENTRY_KEYS)}")
        for name in ("target", "operation", "code", "verdict", "reason"):
            if not isinstance(data.get(name), str) or not data[name].strip():
                raise BaselineError(f"{where} needs a non-empty string {name!r}")
        if data["target"] not in (ANY, *TARGET_NAMES):
            raise BaselineError(f"{where} names unknown target {data['target']!r}")
        if not _CODE.match(data["code"]):
            raise BaselineError(f"{where} has code {data['code']!r}; expected a Schemathesis code such as ST202")
        if data["verdict"] not in ("accepted", "pending"):
            raise BaselineError(f"{where} has verdict {data['verdict']!r}; expected 'accepted' or 'pending'")
        reason = data["reason"]
        if "\n" in reason or len(reason) > 240:
            raise BaselineError(f"{where}: the reason must be one line of at most 240 characters")
        if data["verdict"] == "pending" and not reason.startswith(PENDING_PREFIX):
            raise BaselineError(f"{where}: a pending entry's reason starts with {PENDING_PREFIX!r}<owner> owner")
        status = data.get("status")
        if status is not None and (not isinstance(status, int) or not 100 <= status <= 599):
            raise BaselineError(f"{where} has status {status!r}; expected an HTTP status")
        return cls(
            target=data["target"],
            operation=data["operation"],
            code=data["code"],
            verdict=data["verdict"],
            reason=reason,
            status=status,
            error=data.get("error"),
            field=data.get("field"),
            detail=data.get("detail"),
        )


@dataclass(frozen=True)
class Baseline:
    entries: tuple[BaselineEntry, ...] = ()

    @classmethod
    def load(cls, path: Path = BASELINE_PATH) -> Baseline:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise BaselineError(f"no baseline at {path}") from None
        except json.JSONDecodeError as error:
            raise BaselineError(f"{path} is not JSON: {error}") from None
        entries = raw.get("entries") if isinstance(raw, dict) else None
        if not isinstance(entries, list):
            raise BaselineError(f"{path} must be an object with a list of 'entries'")
        return cls(tuple(BaselineEntry.from_dict(entry, index) for index, entry in enumerate(entries, start=1)))

    def entry_for(self, finding: Finding) -> BaselineEntry | None:
        """The first entry that covers the finding, or None when the finding is new."""
        return next((entry for entry in self.entries if entry.covers(finding)), None)

    def for_target(self, target: str) -> tuple[BaselineEntry, ...]:
        return tuple(entry for entry in self.entries if entry.target in (ANY, target))


@dataclass
class Tally:
    """What one run met: its new findings (each once) and how often each entry covered one."""

    baseline: Baseline
    new: dict[tuple[object, ...], Finding] = field(default_factory=dict)
    known: dict[tuple[object, ...], tuple[Finding, BaselineEntry]] = field(default_factory=dict)
    covered: Counter[BaselineEntry] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __getstate__(self) -> dict[str, Any]:
        """A tally travels back from a worker process; its lock stays behind."""
        return {name: value for name, value in vars(self).items() if name != "_lock"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        vars(self).update(state)
        self._lock = threading.Lock()

    def record(self, finding: Finding) -> bool:
        """Counts the finding; True when it is new (so the failure must stand)."""
        entry = self.baseline.entry_for(finding)
        with self._lock:
            if entry is None:
                self.new[finding.key] = finding  # the latest is the most shrunk example
                return True
            self.covered[entry] += 1
            self.known.setdefault(finding.key, (finding, entry))
            return False

    def new_in(self, operation: str) -> list[Finding]:
        return [finding for finding in self.new.values() if finding.operation == operation]

    def known_in(self, operation: str) -> list[Finding]:
        return [finding for finding, _ in self.known.values() if finding.operation == operation]

    def unused(self, targets: Iterable[str]) -> list[BaselineEntry]:
        """Entries for these targets that covered nothing: fixed since, or out of this run's reach."""
        return unused_entries(self.baseline, [self], targets)


def unused_entries(baseline: Baseline, tallies: Iterable[Tally], targets: Iterable[str]) -> list[BaselineEntry]:
    """Entries for `targets` that no tally of the run covered."""
    names = set(targets)
    covered = {entry for tally in tallies for entry, count in tally.covered.items() if count}
    return [
        entry for entry in baseline.entries if (entry.target == ANY or entry.target in names) and entry not in covered
    ]


def _answer(content: bytes | None) -> tuple[str | None, frozenset[str]]:
    """The error code and the fields named in an error body: ours, or the broker's `errors` map."""
    try:
        body = json.loads(content or b"")
    except (ValueError, UnicodeDecodeError):
        return None, frozenset()
    if not isinstance(body, dict):
        return None, frozenset()
    error = body.get("error") if isinstance(body.get("error"), str) else None
    details = body.get("details")
    fields = (
        {item["field"] for item in details if isinstance(item, dict) and isinstance(item.get("field"), str)}
        if isinstance(details, list)
        else set()
    )
    errors = body.get("errors")
    if isinstance(errors, dict):
        fields |= {name for name in errors if isinstance(name, str)}
    return error, frozenset(fields)
