"""Names: the OpenAPI patterns say exactly what the broker accepts."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from broker.api.schemas import ENVIRONMENT_NAME_PATTERN, NAME_PATTERN
from broker.names import display_name_for, environment_name_problem, name_problem

SAMPLES = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["", " ", ".", "..", "...", "a b", " a", "a ", "feat/x", "x\ty", "ok", "x" * 255, "x" * 256]),
)


@settings(max_examples=300, deadline=None)
@given(SAMPLES)
def test_the_name_pattern_matches_the_name_rules(value: str) -> None:
    documented = re.search(NAME_PATTERN, value) is not None and 1 <= len(value) <= 255
    assert documented == (name_problem(value) is None)


@settings(max_examples=300, deadline=None)
@given(SAMPLES)
def test_the_environment_name_pattern_matches_the_rules(value: str) -> None:
    documented = re.search(ENVIRONMENT_NAME_PATTERN, value) is not None and 1 <= len(value) <= 255
    assert documented == (environment_name_problem(value) is None)


def test_display_names_are_generated_like_the_official_broker() -> None:
    assert display_name_for("shopping-cart_service") == "Shopping Cart Service"
    assert display_name_for("UserService") == "User Service"
    assert display_name_for("production") == "Production"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_the_url_pattern_matches_the_url_rules(value: str) -> None:
    from broker.api.schemas import URL_STRING
    from broker.names import url_problem

    assert (re.search(URL_STRING["pattern"], value) is not None) == (url_problem(value) is None)
