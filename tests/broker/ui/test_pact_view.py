"""Pacts for people: matchers in the V2 and the V3/V4 shape land beside the fields they govern."""

from __future__ import annotations

from broker.ui.pact_view import annotated_json, describe, describe_matcher, path_tokens


def test_paths_and_matchers_read_like_the_spec() -> None:
    assert path_tokens("$.items[*].id") == ["items", "*", "id"]
    assert path_tokens("$['a b'][0]") == ["a b", "0"]
    assert describe_matcher({"match": "regex", "regex": r"\d+"}) == r"matches /\d+/"
    assert describe_matcher({"match": "type", "min": 1}) == "same type (min 1)"
    assert describe_matcher({"min": 2}) == "same type (min 2)"  # V2 without "match"
    assert describe_matcher({"match": "date", "format": "yyyy-MM-dd"}) == "date yyyy-MM-dd"


def test_body_lines_carry_the_matchers_of_their_paths() -> None:
    lines = annotated_json(
        {"items": [{"id": 1}, {"id": 2}]}, {"$.items": ["same type (min 1)"], "$.items[*].id": ["integer"]}
    )
    by_text = {line.text.strip(): line.notes for line in lines}
    assert by_text['"items": ['] == ("same type (min 1)",)
    assert by_text['"id": 1'] == ("integer",)
    assert by_text['"id": 2'] == ("integer",)


def test_v2_pacts_show_states_headers_and_body_matchers() -> None:
    document = {
        "interactions": [
            {
                "description": "a request",
                "providerState": "a thing exists",
                "request": {"method": "get", "path": "/things", "query": "a=1"},
                "response": {
                    "status": 200,
                    "headers": {"Content-Type": "application/json"},
                    "body": {"name": "x"},
                    "matchingRules": {"$.body.name": {"match": "type"}, "$.headers.Content-Type": {"regex": "json"}},
                },
            }
        ]
    }
    [view] = describe(document)
    assert view.states == [("a thing exists", "")]
    request, response = view.parts
    assert request.summary == "GET /things"
    assert response.fields[0].notes == ("matches /json/",)
    assert any("same type" in line.notes for line in response.body)


def test_messages_show_contents_and_metadata() -> None:
    document = {
        "messages": [
            {
                "description": "a booking event",
                "contents": {"id": 5},
                "metadata": {"topic": "bookings"},
                "matchingRules": {"body": {"$.id": {"matchers": [{"match": "integer"}]}}},
            }
        ]
    }
    [view] = describe(document)
    [message] = view.parts
    assert message.field_kind == "Metadata"
    assert message.fields[0].value == "bookings"
    assert any(line.notes == ("integer",) for line in message.body)
