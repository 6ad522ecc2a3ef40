"""Building blocks of every contract model: the wire conventions, written once.

camelCase on the wire and snake_case in Python; requests strict (a provider that
silently coerces `"price": false` into 0 accepts what its contract forbids), responses
tolerant (a consumer must keep working when a provider adds a field).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
)
from pydantic.alias_generators import to_camel


class WireModel(BaseModel):
    """A body on the wire: camelCase keys, enum values as strings."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        use_enum_values=False,
        frozen=False,
    )


class RequestModel(WireModel):
    """What a caller sends: unknown fields and type coercion are rejected."""

    model_config = ConfigDict(extra="forbid", strict=True)


class PathModel(WireModel):
    """Path parameters arrive as strings, so enums and numbers are coerced."""

    model_config = ConfigDict(extra="forbid", strict=False)


class QueryModel(WireModel):
    """Query parameters arrive as strings, so numbers are coerced; unknown ones are ignored."""

    model_config = ConfigDict(extra="ignore", strict=False)


class ResponseModel(WireModel):
    """What a provider answers: consumers ignore fields they do not know (tolerant reader)."""

    model_config = ConfigDict(extra="ignore")


def _rfc3339_utc(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    # `%Y` does not pad years before 1000 on glibc: `0211-...` would come out as `211-...`.
    return f"{utc.year:04d}-{utc:%m-%dT%H:%M:%S}Z"


def _expressible_in_utc(moment: datetime) -> datetime:
    """`0001-01-01T00:00:00+01:00` is a valid RFC 3339 string but no UTC instant: refuse it as input."""
    try:
        moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("the date-time is out of range once converted to UTC") from None
    return moment


_BLANK = r"\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
"""Control characters and Unicode white space, spelled out: `\\s` means three different things in
ECMA-262 (the OpenAPI document's regex dialect), Python's `re` and the Rust engine pydantic uses,
so a pattern with `\\s` lets a fuzzer find inputs the document allows and the provider refuses."""

_WHITE_SPACE = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
"""Unicode's White_Space: exactly what pydantic's `strip_whitespace` trims."""

Id = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$"),
    Field(description="Opaque identifier: services mint UUIDs, older callers may hold ids such as `123`."),
]
"""Ids are opaque; the pattern keeps them safe in a URL path segment and in logs."""

Email = Annotated[
    str,
    StringConstraints(min_length=3, max_length=254, pattern=f"^[^@{_BLANK}]+@[^@{_BLANK}]+\\.[^@{_BLANK}]+$"),
    Field(description="An email address: no white space or control characters."),
]

Timestamp = Annotated[
    AwareDatetime,
    AfterValidator(_expressible_in_utc),
    PlainSerializer(_rfc3339_utc, return_type=str, when_used="json"),
    Field(description="RFC 3339 date-time; providers answer in UTC with a `Z` suffix."),
]


def trimmed_pattern(excluded: str) -> str:
    """Text without the `excluded` characters (a class body such as `\\x00-\\x1f`) that trimming leaves non-empty."""
    return f"^[^{excluded}]*[^{excluded}{_WHITE_SPACE}][^{excluded}]*$"


def checked_as_sent(pattern: str, max_length: int) -> BeforeValidator:
    """Checks text the provider trims against the document before the trimming.

    pydantic trims before it checks length and pattern, so without this `"  " + 199 letters`
    would pass a `maxLength: 200` the document states, and `" "` would fail a `minLength: 1`
    the document lets through. Put it after the `StringConstraints` so it runs first.
    """
    as_written = re.compile(pattern)

    def check(value: Any) -> Any:
        if isinstance(value, str) and (len(value) > max_length or not as_written.fullmatch(value)):
            raise ValueError(f"must be 1 to {max_length} characters, not all white space, without control characters")
        return value

    return BeforeValidator(check)


_NAME = trimmed_pattern(r"\x00-\x1f\x7f")
"""The auth service's `MemberName` allows the same characters: a name it takes, the user service takes."""

Name = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, pattern=_NAME, strip_whitespace=True),
    checked_as_sent(_NAME, 200),
    Field(description="One line of text without control characters; surrounding white space is trimmed."),
]

PageNumber = Annotated[int, Field(ge=1, le=100_000, description="1-based page number.")]
PageSize = Annotated[int, Field(ge=1, le=100, description="Items per page, 1..100.")]


class PageQuery(QueryModel):
    page: PageNumber = 1
    page_size: PageSize = 20


class PageInfo(ResponseModel):
    """The paging fields every list response carries beside its named collection."""

    page: int
    page_size: int
    total: int
