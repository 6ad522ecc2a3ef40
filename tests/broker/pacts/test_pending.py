"""Pending inherited from other provider branches or tags, as the official `pact_version.rb` has it:
a new branch (tag) starts "not pending" only for content that a version on *another* branch (with
*another* tag) verified successfully before this one existed; a success by a provider version on
no branch (with no tag) does not count.
"""

from __future__ import annotations

from typing import Any

from tests.broker.support import BrokerClient


def _pending(broker: BrokerClient, **provider: Any) -> bool:
    query = {"consumerVersionSelectors": [{"mainBranch": True}], "includePendingStatus": True, **provider}
    return broker.for_verification("api", query)["_embedded"]["pacts"][0]["verificationProperties"]["pending"]


def test_a_new_branch_does_not_inherit_from_a_provider_version_on_no_branch(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api", branch="main")
    broker.verify("api", "web", "1", "100")
    assert _pending(broker, providerVersionBranch="feat/new") is True
    broker.verify("api", "web", "1", "101", branch="main")
    assert _pending(broker, providerVersionBranch="feat/new") is False


def test_a_new_tag_inherits_only_from_provider_versions_with_another_tag(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api", branch="main")
    broker.verify("api", "web", "1", "100")
    assert _pending(broker, providerVersionTags=["feat-new"]) is True
    broker.verify("api", "web", "1", "101", tags=["prod"])
    assert _pending(broker, providerVersionTags=["feat-new"]) is False


def test_a_tag_first_used_before_the_other_tags_success_stays_pending(broker: BrokerClient) -> None:
    broker.put("/pacticipants/api/versions/50/tags/early")
    broker.publish("web", "1", "api", branch="main")
    broker.verify("api", "web", "1", "100", tags=["prod"])
    assert _pending(broker, providerVersionTags=["early"]) is True
    assert _pending(broker, providerVersionTags=["prod"]) is False
