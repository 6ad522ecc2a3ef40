"""The pact_ffi verifier (pact-python's Verifier with broker_source) end to end: selectors,
pending, WIP, provider branch and tags, publishing results; then can-i-deploy reflects them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pact import Verifier

from broker.config import AuthSettings
from tests.broker.clients.provider_app import ProviderControl, orders_interaction, running_provider, user_interaction
from tests.broker.support import BrokerClient, run_pact


@pytest.fixture(scope="module")
def provider() -> Iterator[ProviderControl]:
    with running_provider() as control:
        yield control


@pytest.fixture
def healthy(provider: ProviderControl) -> Iterator[ProviderControl]:
    provider.broken = False
    yield provider
    provider.broken = False


def _verifier(
    provider: ProviderControl,
    broker_url: str,
    *,
    version: str,
    branch: str | None = None,
    tags: list[str] | None = None,
    selectors: list[dict[str, Any]] | None = None,
    wip_since: str | None = None,
    pending: bool = True,
    **auth: str,
) -> Verifier:
    builder = (
        Verifier("api")
        .add_transport(url=provider.url)
        .state_handler(f"{provider.url}/_pact/provider-states", body=True)
        .broker_source(broker_url, selector=True, use_env=False, **auth)
    )
    for selector in selectors or [{"main_branch": True}]:
        builder = builder.consumer_version(**selector)
    builder = builder.include_pending() if pending else builder.exclude_pending()
    if wip_since:
        builder = builder.include_wip_since(wip_since)
    if branch:
        builder = builder.provider_branch(branch)
    verifier = builder.build()
    return verifier.set_publish_options(version, branch=branch, tags=tags)


def test_verifying_from_the_broker_publishes_results_that_can_i_deploy_uses(
    broker: BrokerClient, healthy: ProviderControl
) -> None:
    broker.publish("web", "1", "api", branch="main", interactions=[user_interaction(), orders_interaction()])
    broker.publish("mobile", "7", "api", interactions=[orders_interaction()])
    broker.record_deployment("mobile", "7", "production")
    verifier = _verifier(
        healthy,
        broker.url,
        version="2.0.0+abc",
        branch="feat/x",
        tags=["prod"],
        selectors=[{"main_branch": True}, {"deployed_or_released": True}],
    )
    verifier.verify()
    output = verifier.output(strip_ansi=True)
    assert "latest version from the main branch (1)" in output
    assert "currently deployed to production (7)" in output
    version = broker.get("/pacticipants/api/versions/2.0.0%2Babc").json()
    assert [b["name"] for b in version["_embedded"]["branchVersions"]] == ["feat/x"]
    assert [t["name"] for t in version["_embedded"]["tags"]] == ["prod"]
    pact = broker.pact("api", "web", "1")
    result = broker.http.get(pact["_links"]["pb:latest-verification-results"]["href"]).json()
    assert result["success"] is True
    assert result["providerApplicationVersion"] == "2.0.0+abc"
    assert {r["interactionId"] for r in result["testResults"]} == {i["_id"] for i in pact["interactions"]}
    assert result["verifiedBy"]["implementation"] == "Pact-Rust"
    broker.record_deployment("api", "2.0.0+abc", "production")
    deploy = run_pact(
        broker.url, "can-i-deploy", "--pacticipant", "web", "--version", "1", "--to-environment", "production"
    )
    assert deploy.returncode == 0, deploy.stdout
    assert "Computer says yes" in deploy.stdout


def test_a_failing_pending_pact_does_not_fail_the_build_but_is_recorded(
    broker: BrokerClient, provider: ProviderControl
) -> None:
    broker.publish("web", "1", "api", branch="main", interactions=[user_interaction()])
    provider.broken = True
    try:
        verifier = _verifier(provider, broker.url, version="3", branch="main")
        verifier.verify()
    finally:
        provider.broken = False
    assert (
        "Pending Failures" in verifier.output(strip_ansi=True) or "pending" in verifier.output(strip_ansi=True).lower()
    )
    result = broker.http.get(broker.pact("api", "web", "1")["_links"]["pb:latest-verification-results"]["href"]).json()
    assert result["success"] is False
    assert result["pending"] is True
    deploy = run_pact(broker.url, "can-i-deploy", "--pacticipant", "web", "--version", "1", "--to", "prod")
    assert deploy.returncode == 1


def test_a_failing_pact_that_is_no_longer_pending_fails_the_build(
    broker: BrokerClient, provider: ProviderControl
) -> None:
    broker.publish("web", "1", "api", branch="main", interactions=[user_interaction()])
    broker.verify("api", "web", "1", "1", branch="main")
    provider.broken = True
    try:
        verifier = _verifier(provider, broker.url, version="4", branch="main")
        with pytest.raises(RuntimeError):
            verifier.verify()
    finally:
        provider.broken = False
    assert "Expected '1' (String) to be an integer" in verifier.output(strip_ansi=True)


def test_wip_pacts_are_verified_as_pending_and_published_as_wip(broker: BrokerClient, healthy: ProviderControl) -> None:
    broker.publish("web", "1", "api", branch="main", interactions=[orders_interaction()])
    broker.publish("web", "2", "api", branch="feat/new-thing", interactions=[user_interaction()])
    verifier = _verifier(healthy, broker.url, version="5", branch="main", wip_since="2020-01-01")
    verifier.verify()
    assert "work in progress" in verifier.output(strip_ansi=True)
    pact = broker.pact("api", "web", "2")
    result = broker.http.get(pact["_links"]["pb:latest-verification-results"]["href"]).json()
    assert result["wip"] is True


def test_tags_and_branch_selectors_with_slashes(broker: BrokerClient, healthy: ProviderControl) -> None:
    broker.publish("web", "1", "api", branch="feat/login", tags=["qa"], interactions=[user_interaction()])
    verifier = _verifier(
        healthy,
        broker.url,
        version="6",
        branch="release/1.x",
        selectors=[{"branch": "feat/login"}, {"tag": "qa", "latest": True}],
    )
    verifier.verify()
    assert "latest from branch feat/login" in verifier.output(strip_ansi=True) or "feat/login" in verifier.output(
        strip_ansi=True
    )
    assert broker.get("/pacticipants/api/branches/release%2F1.x/versions/6").status_code == 200


def test_an_unknown_provider_is_reported_as_having_no_pacts(broker: BrokerClient, healthy: ProviderControl) -> None:
    verifier = _verifier(healthy, broker.url, version="1")
    with pytest.raises(RuntimeError):
        verifier.verify()
    assert "No pacts found for provider 'api'" in verifier.output(strip_ansi=True)


def test_selectors_matching_nothing_give_the_verifier_an_empty_list(
    broker: BrokerClient, healthy: ProviderControl
) -> None:
    broker.publish("web", "1", "api", branch="feat", interactions=[user_interaction()])
    verifier = _verifier(healthy, broker.url, version="1", selectors=[{"branch": "does-not-exist"}])
    with pytest.raises(RuntimeError):
        verifier.verify()  # pact-python 4.2 treats an empty selection as a failure
    assert "matching the given consumer version selectors" in verifier.output(strip_ansi=True)
    assert "a request for user 1" not in verifier.output(strip_ansi=True)


def test_read_only_credentials_fetch_pacts_but_cannot_publish_results(
    start_broker, healthy: ProviderControl, caplog: pytest.LogCaptureFixture
) -> None:
    auth = AuthSettings(username="w", password="w", read_only_username="r", read_only_password="r", tokens=("tok",))
    with start_broker(auth=auth) as client:
        client.http.auth = ("w", "w")
        client.publish("web", "1", "api", branch="main", interactions=[user_interaction()])
        reader = _verifier(healthy, client.url, version="9", username="r", password="r")
        reader.verify()
        assert "a request for user 1" in reader.output(strip_ansi=True)
        assert "Publishing of verification results failed" in caplog.text
        assert "403 Forbidden" in caplog.text
        pact = client.pact("api", "web", "1")
        assert client.http.get(pact["_links"]["pb:latest-verification-results"]["href"]).status_code == 404
        writer = _verifier(healthy, client.url, version="9", token="tok")
        writer.verify()
        assert client.http.get(pact["_links"]["pb:latest-verification-results"]["href"]).json()["success"] is True
