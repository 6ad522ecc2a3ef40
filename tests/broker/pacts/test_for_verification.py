"""Pacts for verification: every selector, dedup by content, defaults, pending per provider
branch, WIP, notices and the metadata that attributes results."""

from __future__ import annotations

import base64
from typing import Any

from tests.broker.support import BrokerClient, interaction


def _entries(body: dict[str, Any]) -> list[tuple[str, str]]:
    """(consumer@version, shortDescription) per entry, in order."""
    result = []
    for entry in body["_embedded"]["pacts"]:
        name = entry["_links"]["self"]["name"]  # "Pact between web (1) and api"
        consumer, version = name.removeprefix("Pact between ").split(" and ")[0].rstrip(")").split(" (")
        result.append((f"{consumer}@{version}", entry["shortDescription"]))
    return result


def _select(broker: BrokerClient, *selectors: dict[str, Any], **options: Any) -> list[tuple[str, str]]:
    return _entries(broker.for_verification("api", {"consumerVersionSelectors": list(selectors), **options}))


def _content(label: str) -> list[dict[str, Any]]:
    return [interaction(label)]


def test_get_gives_the_self_link_the_verifier_posts_to_and_unknown_providers_are_404(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api")
    body = broker.get("/pacts/provider/api/for-verification").json()
    assert body["_links"]["self"]["href"].endswith("/pacts/provider/api/for-verification")
    assert broker.get("/pacts/provider/nobody/for-verification").status_code == 404


def test_empty_query_parameters_of_the_get_form_count_as_not_given(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api")
    answer = broker.get("/pacts/provider/api/for-verification?providerVersionBranch=&includeWipPactsSince=")
    assert answer.status_code == 200, answer.text
    assert len(answer.json()["_embedded"]["pacts"]) == 1


def test_main_branch_branch_and_matching_branch_select_branch_heads(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api", branch="main", interactions=_content("m1"))
    broker.publish("web", "2", "api", branch="main", interactions=_content("m2"))
    broker.publish("web", "3", "api", branch="feat/x", interactions=_content("f"))
    assert _select(broker, {"mainBranch": True}) == [("web@2", "latest from main branch")]
    assert _select(broker, {"branch": "feat/x"}) == [("web@3", "latest from branch feat/x")]
    assert _select(broker, {"matchingBranch": True}, providerVersionBranch="feat/x") == [
        ("web@3", "latest from branch feat/x")
    ]


def test_fallback_branch_is_used_per_consumer_without_the_branch(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api", branch="main", interactions=_content("w"))
    broker.publish("mobile", "9", "api", branch="main", interactions=_content("m"))
    broker.publish("mobile", "10", "api", branch="feat", interactions=_content("mf"))
    selected = _select(broker, {"branch": "feat", "fallbackBranch": "main"})
    assert selected == [("mobile@10", "latest from branch feat"), ("web@1", "latest from branch main")]


def test_tags_latest_all_and_fallback(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api", tags=["prod"], interactions=_content("1"))
    broker.publish("web", "2", "api", tags=["prod"], interactions=_content("2"))
    broker.publish("web", "3", "api", tags=["dev"], interactions=_content("3"))
    assert _select(broker, {"tag": "prod", "latest": True}) == [("web@2", "latest with tag prod")]
    assert _select(broker, {"tag": "prod"}) == [("web@1", "one of prod"), ("web@2", "one of prod")]
    assert _select(broker, {"tag": "qa", "fallbackTag": "dev", "latest": True}) == [("web@3", "latest with tag dev")]


def test_latest_and_consumer_restrict(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api", interactions=_content("w"))
    broker.publish("mobile", "5", "api", interactions=_content("m"))
    assert _select(broker, {"latest": True}) == [("mobile@5", "latest"), ("web@1", "latest")]
    assert _select(broker, {"latest": True, "consumer": "web"}) == [("web@1", "latest")]


def test_deployed_released_and_environment_selectors(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api", interactions=_content("1"))
    broker.publish("web", "2", "api", interactions=_content("2"))
    broker.publish("app", "7", "api", interactions=_content("7"))
    broker.record_deployment("web", "1", "prod")
    broker.record_deployment("web", "2", "test")
    broker.record_release("app", "7", "prod")
    assert _select(broker, {"deployed": True}) == [("web@1", "deployed to prod"), ("web@2", "deployed to test")]
    assert _select(broker, {"released": True}) == [("app@7", "released in prod")]
    assert _select(broker, {"deployedOrReleased": True, "environment": "prod"}) == [
        ("app@7", "released in prod"),
        ("web@1", "deployed to prod"),
    ]
    assert _select(broker, {"environment": "test"}) == [("web@2", "deployed to test")]


def test_unknown_environment_is_a_400(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api")
    response = broker.post(
        "/pacts/provider/api/for-verification", {"consumerVersionSelectors": [{"environment": "mars"}]}
    )
    assert response.status_code == 400


def test_same_content_is_one_entry_with_the_newest_version_and_merged_selectors(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api", branch="main", tags=["prod"])
    broker.publish("web", "2", "api", branch="main")
    broker.record_deployment("web", "1", "prod")
    selected = _select(broker, {"mainBranch": True}, {"deployed": True}, {"tag": "prod", "latest": True})
    assert selected == [("web@2", "latest from main branch, deployed to prod, latest with tag prod")]
    notice = broker.for_verification("api", {"consumerVersionSelectors": [{"mainBranch": True}, {"deployed": True}]})
    text = notice["_embedded"]["pacts"][0]["verificationProperties"]["notices"][0]["text"]
    assert "matching the following criteria" in text
    assert "latest version from the main branch (2)" in text
    assert "consumer version(s) currently deployed to prod (1)" in text


def test_default_selectors_are_main_branch_heads_and_everything_deployed(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api", branch="main", interactions=_content("old"))
    broker.publish("web", "2", "api", branch="main", interactions=_content("new"))
    broker.publish("web", "3", "api", branch="feat", interactions=_content("feat"))
    broker.record_deployment("web", "1", "prod")
    broker.publish("legacy", "4", "api", interactions=_content("legacy"))
    assert _select(broker) == [
        ("legacy@4", "latest"),
        ("web@1", "deployed to prod"),
        ("web@2", "latest from main branch"),
    ]


def test_invalid_selectors_are_refused_by_position(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api")
    for selector in (
        {"mainBranch": True, "tag": "x"},
        {"branch": "a", "tag": "b"},
        {"tag": "x", "environment": "prod"},
        {"consumer": "web"},
        {"matchingBranch": True},
        {"fallbackTag": "x"},
        {"deployed": True, "released": True},
        {"latest": "yes"},
        "not an object",
    ):
        response = broker.post("/pacts/provider/api/for-verification", {"consumerVersionSelectors": [selector]})
        assert response.status_code == 400, selector
        assert "consumerVersionSelectors[0]" in response.json()["errors"], selector


def test_pending_until_the_provider_branch_verifies_successfully(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api", branch="main")
    query = {
        "consumerVersionSelectors": [{"mainBranch": True}],
        "includePendingStatus": True,
        "providerVersionBranch": "main",
    }

    def pending() -> bool:
        return broker.for_verification("api", query)["_embedded"]["pacts"][0]["verificationProperties"]["pending"]

    assert pending() is True
    broker.verify("api", "web", "1", "100", success=False, branch="main")
    assert pending() is True, "a failure never clears pending"
    broker.verify("api", "web", "1", "101", success=True, branch="main")
    assert pending() is False
    entry = broker.for_verification("api", query)["_embedded"]["pacts"][0]
    assert "previously been successfully verified" in entry["verificationProperties"]["notices"][1]["text"]


def test_a_new_provider_branch_inherits_not_pending_from_earlier_verifications(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api", branch="main")
    broker.verify("api", "web", "1", "100", branch="main")
    query = {
        "consumerVersionSelectors": [{"mainBranch": True}],
        "includePendingStatus": True,
        "providerVersionBranch": "feat/new",
    }
    assert broker.for_verification("api", query)["_embedded"]["pacts"][0]["verificationProperties"]["pending"] is False
    broker.put("/pacticipants/api/branches/late/versions/200")
    late = {**query, "providerVersionBranch": "late"}
    assert broker.for_verification("api", late)["_embedded"]["pacts"][0]["verificationProperties"]["pending"] is False


def test_pending_for_a_branch_created_before_any_success(broker: BrokerClient) -> None:
    broker.put("/pacticipants/api/branches/early/versions/50")
    broker.publish("web", "1", "api", branch="main")
    broker.verify("api", "web", "1", "100", branch="main")
    query = {
        "consumerVersionSelectors": [{"mainBranch": True}],
        "includePendingStatus": True,
        "providerVersionBranch": "early",
    }
    assert broker.for_verification("api", query)["_embedded"]["pacts"][0]["verificationProperties"]["pending"] is True


def test_pending_per_provider_tag(broker: BrokerClient) -> None:
    broker.put("/pacticipants/api/versions/1/tags/prod")
    broker.publish("web", "1", "api", tags=["main"])
    query = {
        "consumerVersionSelectors": [{"tag": "main", "latest": True}],
        "includePendingStatus": True,
        "providerVersionTags": ["prod"],
    }
    assert broker.for_verification("api", query)["_embedded"]["pacts"][0]["verificationProperties"]["pending"] is True
    broker.verify("api", "web", "1", "2", tags=["prod"])
    assert broker.for_verification("api", query)["_embedded"]["pacts"][0]["verificationProperties"]["pending"] is False


def test_pending_notices_are_string_maps_the_verifier_can_read(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api", branch="main")
    query = {
        "consumerVersionSelectors": [{"mainBranch": True}],
        "includePendingStatus": True,
        "providerVersionBranch": "main",
    }
    notices = broker.for_verification("api", query)["_embedded"]["pacts"][0]["verificationProperties"]["notices"]
    assert [n["when"] for n in notices] == [
        "before_verification",
        "before_verification",
        "after_verification:success_true_published_false",
        "after_verification:success_false_published_false",
        "after_verification:success_true_published_true",
        "after_verification:success_false_published_true",
    ]
    assert all(isinstance(value, str) for notice in notices for value in notice.values())


def test_wip_pacts_are_new_heads_the_provider_branch_has_not_verified(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api", branch="main", interactions=_content("main"))
    broker.publish("web", "2", "api", branch="feat/a", interactions=_content("a"))
    broker.publish("web", "3", "api", branch="feat/b", interactions=_content("b"))
    broker.verify("api", "web", "3", "100", branch="main")
    query = {
        "consumerVersionSelectors": [{"mainBranch": True}],
        "includePendingStatus": True,
        "includeWipPactsSince": "2020-01-01",
        "providerVersionBranch": "main",
    }
    body = broker.for_verification("api", query)
    entries = body["_embedded"]["pacts"]
    assert _entries(body) == [("web@1", "latest from main branch"), ("web@2", "latest from branch feat/a")]
    wip = entries[1]["verificationProperties"]
    assert wip["wip"] is True
    assert wip["pending"] is True
    assert "'work in progress' pact" in wip["notices"][0]["text"]
    metadata = entries[1]["_links"]["self"]["href"].rsplit("/metadata/", 1)[1]
    decoded = base64.urlsafe_b64decode(metadata + "=" * (-len(metadata) % 4)).decode()
    assert "w=true" in decoded
    assert "s[][b]=feat%2Fa" in decoded


def test_a_successful_wip_verification_keeps_the_pact_wip(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api", branch="feat/a")
    query = {
        "consumerVersionSelectors": [{"branch": "nothing"}],
        "includeWipPactsSince": "2020-01-01",
        "providerVersionBranch": "main",
    }
    body = broker.for_verification("api", query)
    url = body["_embedded"]["pacts"][0]["_links"]["self"]["href"]
    broker.verify("api", "web", "1", "100", branch="main", pact_url=url)
    assert len(broker.for_verification("api", query)["_embedded"]["pacts"]) == 1, "verified while WIP"
    broker.verify("api", "web", "1", "101", branch="main")
    assert broker.for_verification("api", query)["_embedded"]["pacts"] == [], "verified explicitly"


def test_wip_needs_a_provider_branch_or_tags_and_respects_the_date(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api", branch="feat/a")
    assert broker.for_verification("api", {"includeWipPactsSince": "2020-01-01"})["_embedded"]["pacts"] != []
    none = {"consumerVersionSelectors": [{"branch": "x"}], "includeWipPactsSince": "2020-01-01"}
    assert broker.for_verification("api", none)["_embedded"]["pacts"] == []
    future = {**none, "providerVersionBranch": "main", "includeWipPactsSince": "2999-01-01"}
    assert broker.for_verification("api", future)["_embedded"]["pacts"] == []


def test_fetching_a_pact_by_its_metadata_url_links_results_back_with_the_metadata(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api", branch="main")
    body = broker.for_verification(
        "api", {"consumerVersionSelectors": [{"mainBranch": True}], "includePendingStatus": True}
    )
    url = body["_embedded"]["pacts"][0]["_links"]["self"]["href"]
    pact = broker.http.get(url).json()
    assert pact["_links"]["pb:publish-verification-results"]["href"].startswith(url.rsplit("/metadata/", 1)[0])
    assert "/metadata/" in pact["_links"]["pb:publish-verification-results"]["href"]
    result = broker.verify("api", "web", "1", "5", pact_url=url)
    assert result["pending"] is True


def test_main_branch_with_deployed_or_released_as_the_verifiers_send_them(broker: BrokerClient) -> None:
    """The verifiers' usual selectors, answered together (one statement on PostgreSQL): the same
    picks as each selector on its own."""
    broker.publish("web", "1", "api", branch="main", interactions=_content("w1"))
    broker.publish("web", "2", "api", branch="main", interactions=_content("w2"))
    broker.publish("web", "3", "api", branch="feat", interactions=_content("w3"))
    broker.publish("app", "7", "api", branch="main", interactions=_content("a7"))
    broker.record_deployment("web", "1", "prod")
    broker.record_deployment("web", "3", "test")
    broker.record_release("app", "7", "prod")
    assert _select(broker, {"mainBranch": True}, {"deployedOrReleased": True}) == [
        ("app@7", "latest from main branch, released in prod"),
        ("web@1", "deployed to prod"),
        ("web@2", "latest from main branch"),
        ("web@3", "deployed to test"),
    ]
    assert _select(broker, {"mainBranch": True}) == [
        ("app@7", "latest from main branch"),
        ("web@2", "latest from main branch"),
    ]
    assert _select(broker, {"deployedOrReleased": True}) == [
        ("app@7", "released in prod"),
        ("web@1", "deployed to prod"),
        ("web@3", "deployed to test"),
    ]
