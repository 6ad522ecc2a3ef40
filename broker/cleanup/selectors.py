"""Keep selectors: which versions a clean-up must never delete, as the official broker names them.

    [{"branch": true, "latest": true}, {"tag": true, "latest": true}, {"latest": true},
     {"deployed": true}, {"released": true}, {"maxAgeDays": 90}]

is the default (the official `DEFAULT_KEEP_SELECTORS`). A selector's keys narrow each other:
`{"pacticipant": "web", "maxAgeDays": 30}` keeps web's versions of the last 30 days. Keys are
camelCase or snake_case; `maxAge` and `max_age` are accepted as the official spellings of
`maxAgeDays`. A version is kept when any selector names it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from broker.errors import InvalidInputError


@dataclass(frozen=True)
class KeepSelector:
    pacticipant: str | None = None
    latest: bool = False
    tag: bool | str | None = None  # True: any tag (with latest: the latest per tag)
    branch: bool | str | None = None  # True: any branch (with latest: every branch head)
    main_branch: bool = False
    environment: str | None = None  # currently deployed or released there
    deployed: bool = False
    released: bool = False
    max_age_days: float | None = None

    def describe(self) -> dict[str, Any]:
        """The selector as JSON, for reports."""
        shown: dict[str, Any] = {}
        for key, value in (
            ("pacticipant", self.pacticipant),
            ("mainBranch", self.main_branch or None),
            ("branch", self.branch),
            ("tag", self.tag),
            ("environment", self.environment),
            ("deployed", self.deployed or None),
            ("released", self.released or None),
            ("latest", self.latest or None),
            ("maxAgeDays", self.max_age_days),
        ):
            if value is not None:
                shown[key] = value
        return shown


DEFAULT_KEEP_SELECTORS = (
    KeepSelector(tag=True, latest=True),
    KeepSelector(branch=True, latest=True),
    KeepSelector(latest=True),
    KeepSelector(deployed=True),
    KeepSelector(released=True),
    KeepSelector(max_age_days=90),
)

_ALIASES = {"maxAge": "maxAgeDays", "pacticipantName": "pacticipant", "environmentName": "environment"}


def _camel(key: str) -> str:
    camel = re.sub(r"_([a-z])", lambda match: match.group(1).upper(), key)
    return _ALIASES.get(camel, camel)


def _selector(index: int, raw: object) -> KeepSelector:
    where = f"keep selector {index + 1}"
    if not isinstance(raw, dict) or not raw:
        raise InvalidInputError(f"{where} must be a non-empty JSON object")
    values = {_camel(str(key)): value for key, value in raw.items()}
    unknown = sorted(set(values) - {"pacticipant", "latest", "tag", "branch", "mainBranch", "environment",
                                    "deployed", "released", "maxAgeDays"})  # fmt: skip
    if unknown:
        raise InvalidInputError(f"{where} has unknown key(s): {', '.join(unknown)}")

    def flag(name: str) -> bool:
        value = values.get(name, False)
        if not isinstance(value, bool):
            raise InvalidInputError(f"{where}: {name} must be true or false")
        return value

    def text(name: str, *, or_true: bool = False) -> bool | str | None:
        value = values.get(name)
        if value is None or (or_true and value is True) or (isinstance(value, str) and value.strip()):
            return value
        expected = "true or a name" if or_true else "a name"
        raise InvalidInputError(f"{where}: {name} must be {expected}")

    age = values.get("maxAgeDays")
    if age is not None and (isinstance(age, bool) or not isinstance(age, int | float) or age < 0):
        raise InvalidInputError(f"{where}: maxAgeDays must be a number of days, 0 or more")
    selector = KeepSelector(
        pacticipant=text("pacticipant"),  # type: ignore[arg-type]
        latest=flag("latest"),
        tag=text("tag", or_true=True),
        branch=text("branch", or_true=True),
        main_branch=flag("mainBranch"),
        environment=text("environment"),  # type: ignore[arg-type]
        deployed=flag("deployed"),
        released=flag("released"),
        max_age_days=age,
    )
    if selector == KeepSelector(pacticipant=selector.pacticipant):
        raise InvalidInputError(f"{where} names no versions (give latest, tag, branch, deployed, maxAgeDays, ...)")
    return selector


def parse_keep_selectors(text: str | None) -> tuple[KeepSelector, ...]:
    """The selectors in a JSON array (or one object); None or empty means the defaults."""
    if text is None or not text.strip():
        return DEFAULT_KEEP_SELECTORS
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as problem:
        raise InvalidInputError(f"the keep selectors are not JSON: {problem.msg} at character {problem.pos}") from None
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise InvalidInputError("the keep selectors are an empty list: that would delete every version")
    return tuple(_selector(index, item) for index, item in enumerate(items))
