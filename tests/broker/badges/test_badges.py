"""Badges: SVG drawn by the broker at the official URLs, with the official texts and colours,
`label` and `initials`, an optional `.svg`, and public access only when switched on."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import pytest

from broker.badges.svg import COLOURS, Badge, render, text_width
from broker.badges.texts import pact_title, short_name
from broker.config import AuthSettings
from tests.broker.conftest import StartBroker
from tests.broker.support import BrokerClient, interaction

SVG = "{http://www.w3.org/2000/svg}"


def badge(broker: BrokerClient, path: str, **kwargs: object) -> tuple[str, str, str]:
    """(left text, right text, right colour) of the badge at `path`."""
    response = broker.get(path, headers={"Accept": "image/svg+xml"}, **kwargs)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.headers["cache-control"] == "no-cache"
    root = ElementTree.fromstring(response.text.split("-->", 1)[-1] if "-->" in response.text else response.text)
    texts = [t.text for t in root.iter(f"{SVG}text") if t.get("aria-hidden") != "true"]
    colour = [rect.get("fill") for rect in root.iter(f"{SVG}rect")][2]  # clip, left, right
    return texts[0], texts[1], colour


def test_the_pact_badge_says_verified_failed_changed_or_unknown(broker: BrokerClient) -> None:
    base = "/pacts/provider/Provider/consumer/Consumer/latest/badge"
    assert badge(broker, base) == ("pact not found", "unknown", COLOURS["lightgrey"])
    broker.publish("Consumer", "1", branch="main")
    assert badge(broker, base) == ("consumer/provider pact", "unknown", COLOURS["lightgrey"])
    broker.verify("Provider", "Consumer", "1", "p1")
    assert badge(broker, base) == ("consumer/provider pact", "verified", COLOURS["brightgreen"])
    broker.publish("Consumer", "2", branch="main", interactions=[interaction("another request")])
    assert badge(broker, base) == ("consumer/provider pact", "changed", COLOURS["orange"])
    broker.verify("Provider", "Consumer", "2", "p2", success=False)
    assert badge(broker, base + ".svg") == ("consumer/provider pact", "failed", COLOURS["red"])


def test_a_failure_while_the_pact_is_pending_says_so(broker: BrokerClient) -> None:
    broker.publish("Consumer", "1", branch="main")
    found = broker.for_verification(
        "Provider", {"consumerVersionSelectors": [{"mainBranch": True}], "includePendingStatus": True}
    )
    href = broker.http.get(found["_embedded"]["pacts"][0]["_links"]["self"]["href"]).json()
    broker.http.post(
        href["_links"]["pb:publish-verification-results"]["href"],
        json={"success": False, "providerApplicationVersion": "p1"},
    )
    assert badge(broker, "/pacts/provider/Provider/consumer/Consumer/latest/badge")[1:] == (
        "failed (pending)",
        COLOURS["red"],
    )


def test_label_and_initials_shorten_the_title(broker: BrokerClient) -> None:
    broker.publish("web-app", "1", "PaymentService")
    base = "/pacts/provider/PaymentService/consumer/web-app/latest/badge"
    assert badge(broker, base, params={"initials": "true"})[0] == "wa/ps pact"
    assert badge(broker, base, params={"label": "consumer"})[0] == "web-app pact"
    assert badge(broker, base, params={"label": "provider", "initials": "true"})[0] == "ps pact"


def test_tagged_and_matrix_badges_use_the_tags(broker: BrokerClient) -> None:
    broker.publish("Consumer", "1", tags=["prod"])
    broker.publish("Consumer", "2", tags=["dev"], interactions=[interaction("newer")])
    broker.verify("Provider", "Consumer", "1", "p1", tags=["prod"])
    assert badge(broker, "/pacts/provider/Provider/consumer/Consumer/latest/prod/badge")[1] == "verified"
    assert badge(broker, "/pacts/provider/Provider/consumer/Consumer/latest/dev/badge")[1] == "unknown"
    matrix = "/matrix/provider/Provider/latest/prod/consumer/Consumer/latest/prod/badge"
    assert badge(broker, matrix) == ("consumer (prod)/provider (prod) pact", "verified", COLOURS["brightgreen"])
    assert badge(broker, matrix.replace("latest/prod/consumer", "latest/dev/consumer"))[1] == "unknown"


def test_the_untagged_badge_reads_only_consumer_versions_without_tags(broker: BrokerClient) -> None:
    base = "/pacts/provider/Provider/consumer/Consumer/latest-untagged/badge"
    broker.publish("Consumer", "1", tags=["prod"])
    assert badge(broker, base) == ("pact not found", "unknown", COLOURS["lightgrey"])
    broker.publish("Consumer", "2", interactions=[interaction("untagged")])
    assert badge(broker, base) == ("consumer/provider pact", "unknown", COLOURS["lightgrey"])
    broker.verify("Provider", "Consumer", "2", "p1")
    assert badge(broker, base + ".svg") == ("consumer/provider pact", "verified", COLOURS["brightgreen"])
    broker.publish("Consumer", "3", tags=["dev"], interactions=[interaction("newer, tagged")])
    broker.verify("Provider", "Consumer", "3", "p2", success=False)
    assert badge(broker, base)[1:] == ("verified", COLOURS["brightgreen"])  # the tagged failure is not its business
    assert badge(broker, "/pacts/provider/Provider/consumer/Consumer/latest/badge")[1] == "failed"
    broker.publish("Consumer", "4", interactions=[interaction("changed, untagged")])
    assert badge(broker, base)[1:] == ("changed", COLOURS["orange"])
    assert badge(broker, base, params={"label": "provider", "initials": "true"})[0] == "provider pact"


def test_can_i_deploy_and_can_i_merge_badges(broker: BrokerClient) -> None:
    broker.create_environment("production", production=True)
    broker.publish("Consumer", "1", branch="main", tags=["main"])
    branch_badge = "/pacticipants/Consumer/branches/main/latest-version/can-i-deploy/to-environment/production/badge"
    tag_badge = "/pacticipants/Consumer/latest-version/main/can-i-deploy/to/prod/badge"
    assert badge(broker, branch_badge) == ("can-i-deploy", "main to production", COLOURS["red"])
    broker.verify("Provider", "Consumer", "1", "p1", branch="main", tags=["prod"])
    broker.record_deployment("Provider", "p1", "production")
    assert badge(broker, branch_badge) == ("can-i-deploy", "main to production", COLOURS["brightgreen"])
    assert badge(broker, branch_badge, params={"label": "web"})[0] == "web"
    assert badge(broker, tag_badge) == ("can-i-deploy", "main to prod", COLOURS["brightgreen"])
    assert badge(broker, "/pacticipants/Ghost/main-branch/can-i-merge/badge")[:2] == ("pacticipant", "not found")
    assert badge(broker, branch_badge.replace("branches/main", "branches/nope"))[:2] == ("branch", "not found")
    assert badge(broker, branch_badge.replace("production/badge", "mars/badge"))[:2] == ("environment", "not found")
    assert badge(broker, "/pacticipants/Consumer/main-branch/can-i-merge/badge.svg")[1:] == (
        "success",
        COLOURS["brightgreen"],
    )


@pytest.mark.parametrize("accept", ["text/html,application/xhtml+xml,*/*;q=0.8", "image/avif,image/webp,*/*"])
def test_a_browser_gets_the_svg_too(broker: BrokerClient, accept: str) -> None:
    for kind in ("latest", "latest-untagged"):
        response = broker.get(f"/pacts/provider/P/consumer/C/{kind}/badge", headers={"Accept": accept})
        assert response.headers["content-type"].startswith("image/svg+xml")
        assert response.headers["cache-control"] == "no-cache"


@pytest.mark.parametrize("kind", ["latest", "latest-untagged"])
def test_badges_need_credentials_unless_public_badge_access_is_on(start_broker: StartBroker, kind: str) -> None:
    path = f"/pacts/provider/P/consumer/C/{kind}/badge"
    users = AuthSettings(username="writer", password="w")
    with start_broker(auth=users) as closed:
        assert closed.get(path).status_code == 401
        assert closed.get(path, auth=("writer", "w")).status_code == 200
    with start_broker(auth=AuthSettings(username="writer", password="w", public_badges=True)) as public:
        assert public.get(path).status_code == 200
        assert public.get("/pacticipants").status_code == 401  # only badges are public


def test_the_setting_mirrors_the_official_environment_variable() -> None:
    from broker.config import BrokerSettings

    assert BrokerSettings.from_env({}).auth.public_badges is False
    assert BrokerSettings.from_env({"PACT_BROKER_ENABLE_PUBLIC_BADGE_ACCESS": "true"}).auth.public_badges is True


def test_text_is_measured_and_escaped() -> None:
    assert text_width("iii") < text_width("mmm")
    assert round(text_width("verified"), 1) == pytest.approx(42.5, abs=3)  # shields.io measures 42.6
    svg = render(Badge("<a&b>", '"x"', "red"), comment="one -- two")
    ElementTree.fromstring(svg.split("-->\n", 1)[1])  # well-formed
    assert "&lt;a&amp;b&gt;" in svg
    assert "one - - two" in svg
    wide, narrow = (ElementTree.fromstring(render(Badge(t, "x", "red"))) for t in ("a much longer title", "ab"))
    assert int(wide.get("width")) > int(narrow.get("width")) + 80


def test_initials_follow_the_official_splitting() -> None:
    assert short_name("web-app", True) == "wa"
    assert short_name("PaymentService", True) == "ps"
    assert short_name("HTTPClientLib", True) == "hcl"
    assert short_name("single", True) == "single"
    assert pact_title("Foo Bar", "baz_qux", label=None, initials=True, consumer_tag="main") == "fb (main)/bq pact"
