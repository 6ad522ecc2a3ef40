"""Matrix query parsing: Rack nested arrays, the flat form, and validation."""

from __future__ import annotations

import pytest

from broker.errors import InvalidInputError
from broker.matrix.parse_query import parse_can_i_deploy_query, parse_matrix_query
from broker.nested_query import NestedQuery


def test_rack_style_selectors_start_a_new_element_when_a_key_repeats() -> None:
    query = parse_matrix_query(
        NestedQuery.parse(
            "q[][pacticipant]=A&q[][version]=1&q[][pacticipant]=B&q[][latest]=true&q[][tag]=prod"
            "&ignore[][pacticipant]=C&tag=prod&latestby=cvpv"
        )
    )
    assert [(s.pacticipant_name, s.version_number, s.latest, s.tag) for s in query.selectors] == [
        ("A", "1", False, None),
        ("B", None, True, "prod"),
    ]
    assert [s.pacticipant_name for s in query.ignore] == ["C"]
    assert (query.tag, query.latestby) == ("prod", "cvpv")


def test_the_flat_encoding_is_accepted() -> None:
    query = parse_matrix_query(NestedQuery.parse("q[]pacticipant=A&q[]version=1&q[]pacticipant=B&q[]version=2"))
    assert [(s.pacticipant_name, s.version_number) for s in query.selectors] == [("A", "1"), ("B", "2")]


def test_percent_encoded_values_are_decoded() -> None:
    query = parse_matrix_query(NestedQuery.parse("q[][pacticipant]=user%20web&q[][version]=1.0.0%2Bx%2Fy"))
    assert (query.selectors[0].pacticipant_name, query.selectors[0].version_number) == ("user web", "1.0.0+x/y")


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("", "q"),
        ("q[][version]=1", "q[0]"),
        ("q[][pacticipant]=A&q[][version]=1&q[][latest]=true", "q[0]"),
        ("q[][pacticipant]=A&tag=x&environment=y", "destination"),
        ("q[][pacticipant]=A&latest=true&environment=y", "latest"),
        ("q[][pacticipant]=A&limit=0", "limit"),
        ("q[][pacticipant]=A&latestby=xyz", "latestby"),
        ("q[][pacticipant]=A&q[][latest]=", "q[0][latest]"),
        ("q[][pacticipant]=A&q[][mainBranch]=yes", "q[0][mainBranch]"),
        ("q[][pacticipant]=A&limit=%C2%B2", "limit"),
        ("q[][pacticipant]=A&latest=TRUE", "latest"),
    ],
)
def test_invalid_queries_name_the_field(text: str, field: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        parse_matrix_query(NestedQuery.parse(text))
    assert field in raised.value.errors


def test_can_i_deploy_needs_exactly_one_destination() -> None:
    with pytest.raises(InvalidInputError):
        parse_can_i_deploy_query(NestedQuery.parse("pacticipant=A&version=1"))
    query = parse_can_i_deploy_query(NestedQuery.parse("pacticipant=A&version=1&environment=prod"))
    assert (query.environment, query.latestby) == ("prod", "cvpv")
