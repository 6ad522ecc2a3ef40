"""Which states an operation gets, and which of a case's fields the values they create can fill."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from schemathesis.generation.value import GeneratedValue

from solo60.fuzz.pact_states import StateUse
from solo60.fuzz.seeding import _choices, _seedable, candidates_from, operation_states
from solo60.fuzz.targets import fuzz_target

LISTED = [
    {"name": "a session exists", "operations": ["GET /internal/sessions/{sessionId}"]},
    {"name": "a gym slot is booked", "operations": ["POST /internal/sessions/conflicts"]},
    {"name": "no session exists", "operations": []},
]


def test_the_pacts_states_win_and_the_provider_listing_fills_the_rest(tmp_path: Path) -> None:
    pact = {
        "consumer": {"name": "user"},
        "provider": {"name": "session"},
        "interactions": [
            {
                "description": "a session",
                "providerStates": [{"name": "a session exists", "params": {"sessionId": "s-9"}}],
                "request": {"method": "GET", "path": "/internal/sessions/s-9"},
            }
        ],
    }
    (tmp_path / "user-session.json").write_text(json.dumps(pact))

    plan = operation_states("session", fuzz_target("session").document(), LISTED, tmp_path)

    assert plan == {
        "GET /internal/sessions/{sessionId}": (StateUse.of("a session exists", {"sessionId": "s-9"}),),
        "POST /internal/sessions/conflicts": (StateUse.of("a gym slot is booked"),),
    }


def test_created_values_are_offered_by_name_lists_by_their_singular_name() -> None:
    found = candidates_from(
        [
            {"userId": "123"},
            {"userId": "123", "total": 2, "sessionIds": {"CONFIRMED": ["a"], "CANCELLED": ["b", "a"]}},
            {"token": "mailed-token-123", "expiresAt": None},
        ]
    )

    assert found == {
        "userId": ("123",),
        "total": (2,),
        "sessionIds": ("a", "b"),
        "sessionId": ("a", "b"),
        "token": ("mailed-token-123",),
    }


def test_a_field_takes_values_of_its_name_or_the_name_it_ends_in_and_of_its_type() -> None:
    candidates = {"userId": ("123", "42"), "sessionId": ("a",), "count": (2,)}
    body = {"adminUserId": "x", "excludeSessionId": "y", "count": "two", "reason": "z", "userId": 5}

    assert _seedable(body, candidates) == {"adminUserId": ("123", "42"), "excludeSessionId": ("a",)}


@settings(max_examples=50, database=None)
@given(st.data())
def test_valid_values_get_created_ones_alongside_their_own_and_negative_ones_stay(data: st.DataObject) -> None:
    candidates = {"token": ("mailed-token-123",)}
    valid = data.draw(_choices({"token": "random", "password": "secret123"}, candidates))
    assert valid in (
        {"token": "random", "password": "secret123"},
        {"token": "mailed-token-123", "password": "secret123"},
    )

    negative = GeneratedValue({"token": 7}, meta=object())  # type: ignore[arg-type]
    assert data.draw(_choices(negative, candidates)) is negative
