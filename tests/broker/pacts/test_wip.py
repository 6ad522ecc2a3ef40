"""The lifecycle of a WIP pact, replaying the official `spec/features/wip_pacts_spec.rb`.

A WIP pact stays WIP until the provider branch (or tag) verifies it successfully while it was
selected explicitly; a success while it was included as WIP never takes it out, not even for a
branch or tag created later. A success by *another* branch (tag) made outside WIP before this
branch (tag) first existed does count, as the official
`successfully_verified_by_provider_another_tag_before_this_tag_first_created` has it.
"""

from __future__ import annotations

from typing import Any

from tests.broker.support import BrokerClient, interaction

SINCE = "2020-01-01"


def _query(provider_tag: str | None = None, branch: str | None = None, consumer_tag: str = "master") -> dict[str, Any]:
    query: dict[str, Any] = {
        "consumerVersionSelectors": [{"tag": consumer_tag, "latest": True, "fallbackTag": "master"}],
        "includeWipPactsSince": SINCE,
        "includePendingStatus": True,
    }
    if provider_tag is not None:
        query["providerVersionTags"] = [provider_tag]
    if branch is not None:
        query["providerVersionBranch"] = branch
    return query


def _wip(broker: BrokerClient, query: dict[str, Any]) -> list[dict[str, Any]]:
    pacts = broker.for_verification("Bar", query)["_embedded"]["pacts"]
    return [pact for pact in pacts if pact["verificationProperties"].get("wip")]


def _explicit(broker: BrokerClient, query: dict[str, Any]) -> list[dict[str, Any]]:
    pacts = broker.for_verification("Bar", query)["_embedded"]["pacts"]
    return [pact for pact in pacts if not pact["verificationProperties"].get("wip")]


def _publish(broker: BrokerClient, version: str, tag: str, content: str) -> None:
    broker.publish("Foo", version, "Bar", tags=[tag], interactions=[interaction(content)])


def _verify(
    broker: BrokerClient,
    entry: dict[str, Any],
    provider_version: str,
    *,
    success: bool = True,
    tag: str | None = None,
    branch: str | None = None,
) -> None:
    """Verify the pact behind a pacts-for-verification entry, through its URL (WIP or not)."""
    broker.verify(
        "Bar",
        "Foo",
        "",  # the consumer version is not used: the pact comes from its URL
        provider_version,
        success=success,
        tags=[tag] if tag else None,
        branch=branch,
        pact_url=entry["_links"]["self"]["href"],
    )


def test_a_newly_published_feature_pact_is_wip_and_pending(broker: BrokerClient) -> None:
    broker.put("/pacticipants/Bar/versions/1/tags/master")
    _publish(broker, "1", "master", "master content")
    _publish(broker, "2", "feat-x", "feature content")
    wip = _wip(broker, _query("master"))
    assert len(wip) == 1
    assert wip[0]["verificationProperties"]["pending"] is True


def test_a_failed_verification_keeps_it_wip(broker: BrokerClient) -> None:
    broker.put("/pacticipants/Bar/versions/1/tags/master")
    _publish(broker, "1", "master", "master content")
    _publish(broker, "2", "feat-x", "feature content")
    _verify(broker, _wip(broker, _query("master"))[0], "2", success=False, tag="master")
    assert len(_wip(broker, _query("master"))) == 1


def test_a_success_while_included_as_wip_keeps_it_wip_and_pending(broker: BrokerClient) -> None:
    broker.put("/pacticipants/Bar/versions/1/tags/master")
    _publish(broker, "1", "master", "master content")
    _publish(broker, "2", "feat-x", "feature content")
    _verify(broker, _wip(broker, _query("master"))[0], "2", tag="master")
    wip = _wip(broker, _query("master"))
    assert len(wip) == 1
    assert wip[0]["verificationProperties"]["pending"] is True


def test_a_success_while_selected_explicitly_ends_wip(broker: BrokerClient) -> None:
    broker.put("/pacticipants/Bar/versions/1/tags/master")
    _publish(broker, "1", "master", "master content")
    _publish(broker, "2", "feat-x", "feature content")
    _verify(broker, _wip(broker, _query("master"))[0], "2", tag="master")
    _publish(broker, "3", "master", "feature content")  # the feature branch is merged
    assert _wip(broker, _query("master")) == []
    assert len(_explicit(broker, _query("master"))) == 1


def test_a_wip_success_on_one_provider_feature_tag_leaves_it_wip_on_a_new_one(broker: BrokerClient) -> None:
    _publish(broker, "2", "feat-x", "feature content")
    _verify(broker, _wip(broker, _query("feat-1"))[0], "1", tag="feat-1")
    assert len(_wip(broker, _query("feat-2"))) == 1


def test_a_wip_success_on_one_provider_feature_branch_leaves_it_wip_on_a_new_one(broker: BrokerClient) -> None:
    _publish(broker, "2", "feat-x", "feature content")
    _verify(broker, _wip(broker, _query(branch="feat-1"))[0], "1", branch="feat-1")
    assert len(_wip(broker, _query(branch="feat-2"))) == 1
    broker.put("/pacticipants/Bar/branches/feat-3/versions/5")  # created after the WIP success
    assert len(_wip(broker, _query(branch="feat-3"))) == 1


def test_an_explicit_success_on_a_matching_feature_tag_leaves_it_wip_on_master(broker: BrokerClient) -> None:
    _publish(broker, "2", "feat-x", "feature content")
    _verify(broker, _wip(broker, _query("master"))[0], "1", success=False, tag="master")
    on_feature = _query("feat-x", consumer_tag="feat-x")
    assert _wip(broker, on_feature) == [], "selected explicitly on the matching branch"
    _verify(broker, _explicit(broker, on_feature)[0], "2", tag="feat-x")
    assert len(_wip(broker, _query("master"))) == 1


def test_a_new_provider_tag_skips_pacts_another_tag_verified_explicitly_before_it_existed(
    broker: BrokerClient,
) -> None:
    _publish(broker, "1", "master", "master content")
    _verify(broker, _explicit(broker, _query("master"))[0], "1", tag="master")
    _publish(broker, "2", "feat-x", "feature content")
    not_selecting_master = {**_query("feat-y"), "consumerVersionSelectors": [{"tag": "nothing", "latest": True}]}
    wip = _wip(broker, not_selecting_master)
    assert len(wip) == 1
    assert "latest with tag feat-x" in wip[0]["shortDescription"], "the master pact is no longer WIP"


def test_a_new_provider_tag_still_lists_pacts_verified_only_by_untagged_provider_versions(
    broker: BrokerClient,
) -> None:
    _publish(broker, "1", "master", "master content")
    _verify(broker, _explicit(broker, _query("master"))[0], "1")
    not_selecting_master = {**_query("feat-y"), "consumerVersionSelectors": [{"tag": "nothing", "latest": True}]}
    assert len(_wip(broker, not_selecting_master)) == 1


def test_a_new_provider_branch_skips_pacts_another_branch_verified_explicitly(broker: BrokerClient) -> None:
    _publish(broker, "1", "master", "master content")
    _verify(broker, _explicit(broker, _query(branch="main"))[0], "1", branch="main")
    _publish(broker, "2", "feat-x", "feature content")
    not_selecting_master = {
        **_query(branch="feat-y"),
        "consumerVersionSelectors": [{"tag": "nothing", "latest": True}],
    }
    assert len(_wip(broker, not_selecting_master)) == 1, "only the feature pact"
