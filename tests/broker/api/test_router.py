"""Routing on the raw path: encoded slashes stay inside a segment, literals win, 405 lists methods."""

from __future__ import annotations

import pytest

from broker.api.resources import build_router
from broker.api.router import decode_segments
from broker.errors import InvalidInputError, MethodNotAllowedError, NotFoundError

ROUTER = build_router()


def test_an_encoded_slash_stays_inside_its_segment() -> None:
    match = ROUTER.match("GET", decode_segments(b"/pacticipants/web/branches/feat%2Fx%2Fy"))
    assert match.operation.template == "/pacticipants/{pacticipant}/branches/{branch}"
    assert match.parameters == {"pacticipant": "web", "branch": "feat/x/y"}


def test_literal_segments_win_over_placeholders() -> None:
    assert ROUTER.match("GET", decode_segments(b"/pacticipants/web/latest-version")).operation.template == (
        "/pacticipants/{pacticipant}/latest-version"
    )
    assert ROUTER.match(
        "GET", decode_segments(b"/pacts/provider/api/consumer/web/branch/latest")
    ).operation.template.endswith("/branch/latest")


def test_empty_segments_match_nothing() -> None:
    for path in (b"/pacticipants/", b"//pacticipants", b"/pacticipants//versions"):
        with pytest.raises(NotFoundError):
            ROUTER.match("GET", decode_segments(path))


def test_wrong_method_lists_the_allowed_ones() -> None:
    with pytest.raises(MethodNotAllowedError) as raised:
        ROUTER.match("PATCH", decode_segments(b"/environments"))
    assert raised.value.allowed == ["GET", "HEAD", "OPTIONS", "POST"]


def test_segments_that_are_not_utf8_are_invalid() -> None:
    with pytest.raises(InvalidInputError):
        decode_segments(b"/pacticipants/%ff")
