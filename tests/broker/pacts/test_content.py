"""Pact content: what makes two pacts the same content, interaction ids, merging, metadata."""

from __future__ import annotations

import pytest

from broker.errors import InvalidInputError
from broker.pacts.content import content_sha, interaction_id, merge_pacts, parse_pact, with_interaction_ids
from broker.pacts.metadata import PactMetadata, SelectorMetadata, decode
from tests.broker.support import interaction, pact_document


def test_the_sha_ignores_order_names_and_other_metadata() -> None:
    one = pact_document("web", "api", interaction("a"), interaction("b"))
    two = pact_document("mobile", "api", interaction("b"), interaction("a"))
    two["metadata"]["pactRust"] = {"ffi": "0.5.12"}
    assert content_sha(one) == content_sha(two)
    changed = pact_document("web", "api", interaction("a"), interaction("c"))
    assert content_sha(one) != content_sha(changed)
    other_spec = pact_document("web", "api", interaction("a"), interaction("b"))
    other_spec["metadata"]["pactSpecification"]["version"] = "3.0.0"
    assert content_sha(one) != content_sha(other_spec)


def test_stamped_ids_are_stable_and_do_not_change_the_sha() -> None:
    document = pact_document("web", "api", interaction("a"))
    stamped = with_interaction_ids(document)
    assert stamped["interactions"][0]["_id"] == interaction_id(document["interactions"][0])
    assert content_sha(stamped) == content_sha(document)
    assert with_interaction_ids(stamped) == stamped


def test_merging_replaces_same_description_and_state_and_adds_the_rest() -> None:
    old = pact_document("web", "api", interaction("a", path="/old"), interaction("b"))
    new = pact_document("web", "api", interaction("a", path="/new"), interaction("c"))
    merged = merge_pacts(old, new)
    assert [(i["description"], i["request"]["path"]) for i in merged["interactions"]] == [
        ("a", "/new"),
        ("b", "/thing"),
        ("c", "/thing"),
    ]


@pytest.mark.parametrize(
    "text",
    ["[]", '"x"', "{}", '{"interactions": {}}', '{"interactions": [1]}', '{"interactions": [], "consumer": "x"}', "{"],
)
def test_things_that_are_not_pacts_are_refused(text: str) -> None:
    with pytest.raises(InvalidInputError):
        parse_pact(text)


def test_message_pacts_are_pacts() -> None:
    assert parse_pact('{"messages": [{"description": "an event"}]}')["messages"]


def test_metadata_round_trips_and_garbage_is_ignored() -> None:
    metadata = PactMetadata(
        (SelectorMetadata(consumer_version_id=7, branch="feat/x", latest=True),), pending=True, wip=True
    )
    assert decode(metadata.encode()) == metadata
    assert decode("!!!not-base64") == PactMetadata()
    assert decode(None) == PactMetadata()
