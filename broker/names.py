"""Rules for the names and numbers clients choose (pacticipants, versions, branches, tags...).

Names are stored, never used as paths, so almost anything goes; what is refused is what cannot
round-trip through a URL segment or a log line: blanks, control characters, dot segments and
values too long to index.
"""

from __future__ import annotations

import re

from broker.storage.schema import NAME_LENGTH

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_LINE_BREAKING = re.compile(r"[\x00-\x1f]")


def name_problem(value: object, what: str = "name") -> str | None:
    """Why `value` cannot be used as a name, or None when it can."""
    if not isinstance(value, str):
        return f"{what} must be a string"
    if not value.strip():
        return f"{what} cannot be blank"
    if len(value) > NAME_LENGTH:
        return f"{what} cannot be longer than {NAME_LENGTH} characters"
    if _CONTROL.search(value):
        return f"{what} cannot contain control characters or line breaks"
    if value in (".", ".."):
        return f"{what} cannot be '.' or '..'"
    if value != value.strip():
        return f"{what} cannot start or end with whitespace"
    return None


def environment_name_problem(value: object) -> str | None:
    problem = name_problem(value, "name")
    if problem:
        return problem
    assert isinstance(value, str)
    if re.search(r"\s", value):
        return "name cannot contain spaces"
    if "/" in value:
        return "name cannot contain '/'"
    return None


def display_name_for(name: str) -> str:
    """The Ruby broker's generated display name: split camel, kebab and snake case, capitalise."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    spaced = re.sub(r"[-_]+", " ", spaced)
    words = [word for word in spaced.split(" ") if word]
    return " ".join(word[:1].upper() + word[1:] for word in words) or name


def url_problem(value: object, what: str = "url") -> str | None:
    """Why `value` cannot be stored as a URL-ish single-line string (build URLs, repositories)."""
    if not isinstance(value, str):
        return f"{what} must be a string"
    if len(value) > 2048:
        return f"{what} cannot be longer than 2048 characters"
    if _LINE_BREAKING.search(value):
        return f"{what} cannot contain control characters or line breaks"
    return None
