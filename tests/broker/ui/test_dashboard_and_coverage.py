"""The integration dashboard and the coverage page, for a browser, from the seeded broker; and the
coverage API unchanged for its clients on the same URL."""

from __future__ import annotations

from bs4 import BeautifulSoup

from tests.broker.support import BrokerClient
from tests.broker.ui.conftest import BROWSER_ACCEPT, SeededBroker
from tests.broker.ui.seed import CONTRACT_PROVIDER, STALE
from tests.broker.ui.test_pages import soup, text

DASHBOARD = "/dashboard/provider/session-service/consumer/web-app"


def rows(page: BeautifulSoup) -> list[str]:
    return [text(row) for row in page.select("table.dashboard tbody tr")]


def test_the_dashboard_lists_branch_heads_main_first_with_their_status(seeded: SeededBroker) -> None:
    page = soup(seeded, DASHBOARD)
    found = rows(page)
    assert len(found) == 2
    assert found[0].startswith("branch main 1.1.0")
    assert "? Never verified" in found[0]  # 1.1.0 changed the pact; nobody verified the new content
    assert found[1].startswith("branch feat/booking-ui 1.2.0-booking")
    assert "⚠ Changed" in found[1]  # the integration's newest pact, changed since 6.0.0 verified it
    assert "6.0.0" in found[1]
    assert page.select_one('nav.views a[aria-current="page"]').get_text() == "By branch"
    assert page.select_one('table.dashboard a[href$="/pacts/provider/session-service/consumer/web-app/version/1.1.0"]')


def test_the_dashboard_views_by_tag_environment_and_all(seeded: SeededBroker) -> None:
    by_tag = rows(soup(seeded, DASHBOARD + "?view=tag"))
    assert len(by_tag) == 1
    assert by_tag[0].startswith("tag prod 1.0.0")
    assert "✔ Verified" in by_tag[0]
    tagged = soup(seeded, DASHBOARD + "?view=tag")
    verification = tagged.select_one("table.dashboard a[href*='/verification-results/']")
    assert verification is not None
    assert seeded.page(verification["href"]).status_code == 200
    in_environments = rows(soup(seeded, DASHBOARD + "?view=environment"))
    assert [row.split(" 1.")[0] for row in in_environments] == ["deployed to test", "deployed to production"]
    assert "✔ Verified" in in_environments[1]  # 1.0.0 in production
    everything = soup(seeded, DASHBOARD + "?view=all")
    assert [row.split(" ")[0] for row in rows(everything)] == ["1.2.0-booking", "1.1.0", "1.0.0"]
    assert "Listed for" not in text(everything.select_one("table.dashboard thead"))


def test_the_dashboard_pages_30_rows_and_keeps_its_view(seeded: SeededBroker) -> None:
    first = soup(seeded, DASHBOARD + "?view=all&pageSize=2")
    assert len(rows(first)) == 2
    assert "Page 1 of 2" in text(first)
    following = first.select_one('nav.pager a[rel="next"]')["href"]
    assert "view=all" in following
    second = soup(seeded, following.removeprefix(seeded.url))
    assert [row.split(" ")[0] for row in rows(second)] == ["1.0.0"]
    empty = soup(seeded, "/dashboard/provider/communication-service/consumer/payment-service?view=tag")
    assert "No pact of payment-service with communication-service comes from a tagged version." in text(empty)
    never = soup(seeded, "/dashboard/provider/web-app/consumer/gym-service?view=all")
    assert "gym-service has published no pact for web-app." in text(never)
    assert never.select_one("p.links") is None  # no link to a latest pact that does not exist
    assert seeded.page(DASHBOARD + "?view=sideways").status_code == 400
    api = seeded.client.get(DASHBOARD, headers={"Accept": "application/hal+json"})
    assert api.status_code == 404  # a page only: the API has no dashboard resource, as in the official broker
    assert "json" in api.headers["content-type"]
    missing = seeded.page("/dashboard/provider/nobody/consumer/web-app")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")


def test_the_index_and_the_pact_link_to_the_dashboard(seeded: SeededBroker) -> None:
    consumer, provider = STALE
    index = soup(seeded, "/")
    link = index.select_one(f'tr[data-consumer="{consumer}"][data-provider="{provider}"] a[href$="{DASHBOARD}"]')
    assert link is not None
    assert "Dashboard" in text(link)
    pact = soup(seeded, "/pacts/provider/session-service/consumer/web-app/latest")
    assert pact.select_one(f'a[href$="{DASHBOARD}"]') is not None


def test_the_coverage_page_shows_operations_uses_and_verification_in_words(seeded: SeededBroker) -> None:
    page = soup(seeded, "/coverage")
    assert page.select_one('header nav a[aria-current="page"]').get_text() == "Coverage"
    section = page.select_one("section#provider-1")
    assert CONTRACT_PROVIDER in text(section.select_one("h2"))
    assert "version 9.1.0" in text(section.select_one("dl"))
    row = text(section.select_one("table.coverage tbody tr"))
    assert row.startswith("GET /internal/communication/{id} 200 ✔ Used")
    assert "payment-service 4.0.0" in row
    assert "Incompatible by comparison" in row  # 9.1.0 dropped the email the pact reads; nobody verified it
    pact_link = section.select_one(
        'a[href$="/pacts/provider/communication-service/consumer/payment-service/version/4.0.0"]'
    )
    assert pact_link is not None
    assert seeded.page(pact_link["href"]).status_code == 200


def test_api_clients_keep_getting_the_coverage_json(seeded: SeededBroker) -> None:
    client: BrokerClient = seeded.client
    answers = [
        client.get("/coverage", headers=headers)
        for headers in ({"Accept": "application/hal+json"}, {"Accept": "*/*"}, {})
    ]
    for response in answers:
        assert response.status_code == 200
        assert "json" in response.headers["content-type"]
        body = response.json()
        assert [item["provider"] for item in body["providers"]] == [CONTRACT_PROVIDER]
        assert body["_links"]["self"]["href"].endswith("/coverage")
    assert answers[0].json() == answers[1].json() == answers[2].json()
    page = client.get("/coverage", headers={"Accept": BROWSER_ACCEPT})
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["vary"] == "Accept"
