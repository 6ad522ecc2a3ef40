"""Every page renders its content for a browser, on SQLite and PostgreSQL, from a broker seeded
through its own API (`seed.py`): the statuses, versions, labels, reasons and logs a person looks
for, with no secret on any page."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup

from tests.broker.support import segment
from tests.broker.ui.conftest import SeededBroker
from tests.broker.ui.seed import (
    CONTRACT_PROVIDER,
    FAILED,
    FAILED_PENDING,
    NEVER,
    PACTICIPANTS,
    SECRET_PASSWORD,
    SECRET_TOKEN,
    SELF_VERIFICATION_REPORT,
    STALE,
    VERIFIED,
)


def soup(seeded: SeededBroker, path: str, status: int = 200) -> BeautifulSoup:
    response = seeded.page(path)
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    return BeautifulSoup(response.text, "html.parser")


def text(element: object) -> str:
    return re.sub(r"\s+", " ", element.get_text(" ")).strip()  # type: ignore[attr-defined]


def index_row(page: BeautifulSoup, consumer: str, provider: str) -> str:
    rows = page.select(f'tr[data-consumer="{consumer}"][data-provider="{provider}"]')
    assert rows, f"no row for {consumer} -> {provider}"
    return text(rows[0])


def test_the_index_lists_every_integration_with_the_official_statuses(seeded: SeededBroker) -> None:
    page = soup(seeded, "/")
    assert len(page.select("tbody tr")) == 9
    assert "✔ Verified" in index_row(page, *VERIFIED)
    assert "⚠ Changed" in index_row(page, *STALE)
    assert "✘ Failed" in index_row(page, *FAILED)
    assert "✘ Failed (pact pending)" in index_row(page, *FAILED_PENDING)
    assert "? Never verified" in index_row(page, *NEVER)
    assert "ago" in index_row(page, *VERIFIED)
    assert "✔ Succeeded" in index_row(page, *VERIFIED)  # its webhook ran
    assert "✘ Failed" in index_row(page, "mobile-app", "payment-service").split("ago", 1)[1]  # the alert webhook
    assert "No webhooks" in index_row(page, *NEVER)
    assert page.select_one(
        'tr[data-consumer="web-app"] a[href$="/pacts/provider/user-service/consumer/web-app/version/1.1.0"]'
    )


def test_the_index_searches_and_pages(seeded: SeededBroker) -> None:
    found = soup(seeded, "/?search=MOBILE")
    assert {row["data-consumer"] for row in found.select("tbody tr")} == {"mobile-app"}
    nothing = soup(seeded, "/?search=nobody-here")
    assert 'No pacticipants found matching: "nobody-here"' in text(nothing)
    first, second = soup(seeded, "/?pageSize=4"), soup(seeded, "/?pageSize=4&page=2")
    assert len(first.select("tbody tr")) == 4
    assert len(second.select("tbody tr")) == 4
    assert "Page 1 of 3" in text(first)
    assert {r["data-provider"] for r in first.select("tbody tr")}.isdisjoint(
        {(r["data-consumer"], r["data-provider"]) for r in second.select("tbody tr")}
    )
    assert soup(seeded, "/?page=0", status=400)


def test_the_labelled_view_shows_versions_by_branch_tag_and_environment(seeded: SeededBroker) -> None:
    page = soup(seeded, "/?tags=true")
    rows = [text(row) for row in page.select("tbody tr")]
    web_to_users = [row for row in rows if row.startswith("web-app") and "user-service" in row]
    assert any("1.0.0" in row and "tag: prod" in row and "env: production" in row for row in web_to_users)
    assert any(
        "1.1.0" in row and "latest" in row and "branch: main" in row and "env: test" in row for row in web_to_users
    )
    assert any("1.2.0-booking" in row and "branch: feat/booking-ui" in row for row in rows)
    only_prod = soup(seeded, "/?tags=prod")
    assert all("web-app" in text(row) or "latest" in text(row) for row in only_prod.select("tbody tr"))


def test_the_pact_page_shows_interactions_matchers_versions_history_and_changes(seeded: SeededBroker) -> None:
    page = soup(seeded, "/pacts/provider/session-service/consumer/web-app/version/1.1.0")
    body = text(page)
    assert "a request for session 42 from web-app" in body
    assert "session 42 exists" in body
    assert '{"id": 42}' in body
    assert "GET /internal/session/42" in body
    assert "matches /^[a-z]+$/" in text(page.find("th", string="X-Service-Key").parent)
    id_line = next(line for line in page.select("pre.json .line") if '"id": 42' in line.get_text())
    assert "integer" in text(id_line)
    assert "same type (min 1)" in body
    assert "datetime yyyy-MM-dd'T'HH:mm:ssXXX" in body
    assert "1.1.0" in body
    assert "branch: main" in body
    changes = text(page.find(id="changes-heading").parent)
    assert "Compared with version 1.0.0" in changes
    assert "added a request for session history (revision 2)" in changes
    assert "never" in text(page.find(id="history-heading").parent).lower() or "no provider" in body
    verified = soup(seeded, "/pacts/provider/session-service/consumer/web-app/version/1.0.0")
    history = text(verified.find(id="history-heading").parent)
    assert "6.0.0" in history
    assert "✔ Verified" in history
    assert "branch: main" in history
    assert "first pact web-app published for session-service" in text(verified)
    link = verified.select_one("#history-heading ~ table a")["href"]
    result = soup(seeded, link.removeprefix(seeded.url))
    assert "✔ Verified" in text(result)
    assert "6.0.0" in text(result)


def test_the_latest_pact_and_content_urls_render_the_same_page(seeded: SeededBroker) -> None:
    latest = text(soup(seeded, "/pacts/provider/user-service/consumer/web-app/latest"))
    assert "Pact between web-app and user-service" in latest
    assert "1.1.0" in latest
    tagged = text(soup(seeded, "/pacts/provider/user-service/consumer/web-app/latest/prod"))
    assert "1.0.0" in tagged
    assert "tag: prod" in tagged
    branch = text(
        soup(seeded, f"/pacts/provider/session-service/consumer/web-app/branch/{segment('feat/booking-ui')}/latest")
    )
    assert "1.2.0-booking" in branch
    assert "No pact between" in text(
        soup(seeded, "/pacts/provider/user-service/consumer/web-app/version/9.9.9", status=404)
    )


def test_the_matrix_page_shows_rows_with_links_and_the_verdict(seeded: SeededBroker) -> None:
    page = soup(seeded, "/matrix?q[][pacticipant]=mobile-app&q[][version]=2.0.0&latestby=cvpv&environment=test")
    rows = page.select("table.matrix tbody tr")
    assert {text(row.find_all("td")[3]) for row in rows} == {"payment-service", "session-service"}
    failed = next(row for row in rows if "payment-service" in text(row))
    assert "row-danger" in failed["class"]
    assert "✘ Failed" in text(failed)
    assert failed.select_one('a[href*="/verification-results/"]')
    assert failed.select_one('a[href*="/version/2.0.0"]')
    assert "No: not safe to deploy" in text(page)
    blank = soup(seeded, "/matrix")
    assert len(blank.select("select[name='q[][kind]']")) == 2
    assert not blank.select("table.matrix")
    invalid = soup(seeded, "/matrix?q[][pacticipant]=x&latestby=nonsense", status=400)
    assert "latestby" in text(invalid.select_one("[role=alert]"))


def test_the_matrix_form_redirects_to_the_official_query(seeded: SeededBroker) -> None:
    response = seeded.page(
        "/matrix?q[][pacticipant]=web-app&q[][kind]=branch_latest&q[][value]=main"
        "&q[][pacticipant]=session-service&q[][kind]=all&q[][value]=&q[][pacticipant]=&q[][kind]=all&q[][value]="
        "&latestby=cvpv&limit=50"
    )
    assert response.status_code == 303
    assert response.headers["location"] == (
        f"{seeded.url}/matrix?q[][pacticipant]=web-app&q[][branch]=main&q[][latest]=true"
        "&q[][pacticipant]=session-service&latestby=cvpv&limit=50"
    )


def test_can_i_deploy_gives_the_verdict_with_the_brokers_own_reasons(seeded: SeededBroker) -> None:
    api = seeded.client.get("/can-i-deploy?pacticipant=mobile-app&version=2.0.0&environment=test").json()
    page = soup(seeded, "/can-i-deploy?pacticipant=mobile-app&version=2.0.0&environment=test")
    assert "No: not safe to deploy" in text(page.select_one(".verdict"))
    shown = [text(item) for item in page.select("ul.reasons li")]
    for notice in api["notices"]:
        assert any(notice["text"] in item for item in shown), notice["text"]
    assert len(page.select("table.matrix tbody tr")) == len(api["matrix"])
    yes = soup(seeded, "/can-i-deploy?pacticipant=user-service&version=5.0.0&environment=production")
    assert "Yes: safe to deploy" in text(yes.select_one(".verdict"))
    form = soup(seeded, "/can-i-deploy")
    assert {o.get_text() for o in form.select("#cid-pacticipant option")} >= set(PACTICIPANTS)
    assert {o.get_text() for o in form.select("#cid-environment option")} >= {"test", "production"}
    unknown = soup(seeded, "/can-i-deploy?pacticipant=web-app&version=1.0.0&environment=staging", status=400)
    assert "staging" in text(unknown.select_one("[role=alert]"))
    branch = soup(seeded, "/pacticipants/web-app/branches/main/latest-version/can-i-deploy/to-environment/production")
    assert "latest version of web-app from branch main to production" in text(branch)
    assert branch.select_one('img[src$="/to-environment/production/badge"]')
    tag = soup(seeded, "/pacticipants/web-app/latest-version/prod/can-i-deploy/to/prod")
    assert "latest version of web-app with tag prod" in text(tag)


def test_the_pacticipant_page_shows_details_versions_deployments_and_neighbours(seeded: SeededBroker) -> None:
    page = soup(seeded, "/pacticipants/web-app")
    facts = text(page.select_one("dl.facts"))
    assert "main" in facts
    assert "https://git.example.com/solo60/web-app" in facts
    assert "Versions 3" in facts
    versions = {
        text(row.select_one(".version")): text(row) for row in page.select("#versions-heading ~ table tbody tr")
    }
    assert "branch: feat/booking-ui" in versions["1.2.0-booking"]
    assert "deployed to test" in versions["1.1.0"]
    assert "deployed to production" in versions["1.0.0"]
    assert "was deployed to test" in versions["1.0.0"]
    assert "tag: prod" in versions["1.0.0"]
    nodes = {node["data-name"] for node in page.select("svg.network .node")}
    assert nodes == {"web-app", "user-service", "session-service", "gym-service"}
    assert page.select_one("svg.network .node.highlighted")["data-name"] == "web-app"
    assert len(soup(seeded, "/pacticipants").select("tbody tr")) == len(PACTICIPANTS)
    assert "No pacticipant with name 'ghost' found" in text(soup(seeded, "/pacticipants/ghost", status=404))


CONTRACT_91 = f"/contracts/bi-directional/provider/{CONTRACT_PROVIDER}/version/9.1.0/provider-contract"
PAIR_90 = (
    f"/contracts/bi-directional/provider/{CONTRACT_PROVIDER}/version/9.0.0"
    "/consumer/payment-service/version/4.0.0/cross-contract-verification-results"
)


def test_the_provider_contract_page_shows_the_document_self_verification_and_each_comparison(
    seeded: SeededBroker,
) -> None:
    page = soup(seeded, CONTRACT_91)
    facts = text(page.select_one("dl.facts"))
    assert "9.1.0" in facts
    assert "✔ Self-verified" in facts
    assert SELF_VERIFICATION_REPORT in text(page.select_one("#self-verification-heading").parent)
    (comparison,) = page.select("article.comparison")
    assert "payment-service 4.0.0 ✘ Incompatible" in text(comparison.select_one("h3"))
    assert "1 error, 2 other results" in text(comparison)
    rows = [text(row) for row in comparison.select("tbody tr")]
    error = next(row for row in rows if row.startswith("✘ error"))
    assert "response.body.incompatible" in error
    assert "a request for communication 42 from payment-service given communication 42 exists" in error
    assert "must NOT have additional properties - email" in error
    assert sum(row.startswith("⚠ warning request.header.unknown") for row in rows) == 2
    assert comparison.select_one(
        'a[href$="/pacts/provider/communication-service/consumer/payment-service/version/4.0.0"]'
    )
    document = text(page.select_one("#document-heading").parent)
    assert '"/internal/communication/{id}"' in document
    assert '"email"' not in document  # 9.1.0 dropped it


def test_a_pair_opens_the_contract_page_with_that_pact_first(seeded: SeededBroker) -> None:
    page = soup(seeded, PAIR_90)
    first = page.select("article.comparison")[0]
    assert "payment-service 4.0.0 ✔ Compatible asked about" in text(first.select_one("h3"))
    assert "0 errors" in text(first)
    api = seeded.client.get(PAIR_90).json()  # the same URL answers the API with JSON
    assert (api["success"], api["compatible"]) == (True, True)


def test_provider_contract_pages_are_linked_from_the_pacticipant_the_pact_and_the_matrix(seeded: SeededBroker) -> None:
    versions = soup(seeded, f"/pacticipants/{CONTRACT_PROVIDER}").select("#versions-heading ~ table tbody tr")
    links = {text(row.select_one(".version")): row.select_one('a[href$="/provider-contract"]') for row in versions}
    assert links["9.1.0"]["href"].endswith(CONTRACT_91)
    assert not soup(seeded, "/pacticipants/web-app").select('a[href$="/provider-contract"]')

    pact = soup(seeded, f"/pacts/provider/{CONTRACT_PROVIDER}/consumer/payment-service/version/4.0.0")
    compared = {text(row.find("td")): row for row in pact.select("#contracts-heading ~ table tbody tr")}
    assert set(compared) == {"9.0.0", "9.1.0"}
    assert "✘ Incompatible" in text(compared["9.1.0"])
    assert "response.body.incompatible in a request for communication 42" in text(compared["9.1.0"])
    assert compared["9.0.0"].select_one("a")["href"].endswith(PAIR_90)

    matrix = soup(seeded, f"/matrix/provider/{CONTRACT_PROVIDER}/consumer/payment-service")
    rows = {text(row.find_all("td")[4]).split(" ")[0]: row for row in matrix.select("table.matrix tbody tr")}
    assert "✔ Verified by contract" in text(rows["9.0.0"])
    assert "✘ Contract check failed" in text(rows["9.1.0"])
    assert "row-danger" in rows["9.1.0"]["class"]
    assert rows["9.0.0"].select_one(f'a[href$="{PAIR_90}"]')
    reasons = text(matrix.select_one("ul.reasons"))
    assert "response.body.incompatible in 'a request for communication 42 from payment-service'" in reasons


def test_a_version_without_a_contract_has_no_contract_page(seeded: SeededBroker) -> None:
    missing = soup(seeded, "/contracts/bi-directional/provider/web-app/version/1.0.0/provider-contract", status=404)
    assert "web-app version 1.0.0 has no provider contract" in text(missing)


def test_the_network_draws_every_pacticipant_and_integration_with_its_status(seeded: SeededBroker) -> None:
    page = soup(seeded, "/integrations")
    assert {node["data-name"] for node in page.select("svg.network .node")} == set(PACTICIPANTS)
    edges = {edge.find("title").get_text() for edge in page.select("svg.network a.edge")}
    assert len(edges) == 9
    assert "web-app → session-service: Changed" in edges
    assert "payment-service → communication-service: Never verified" in edges
    assert "session-service → gym-service: Failed (pact pending)" in edges


def test_environments_show_what_is_deployed_and_released_now_and_the_history(seeded: SeededBroker) -> None:
    page = soup(seeded, "/environments")
    production = next(section for section in page.select("section.environment") if "Production" in text(section.h2))
    now = text(production)
    assert "mobile-app 2.0.0 released, supported" in now
    assert "web-app 1.0.0 deployed" in now
    assert "production" in now
    test = soup(seeded, f"/environments/{seeded.seeded.environments['test']}")
    history = text(test.find(id="history-heading").parent)
    assert re.search(r"web-app 1\.1\.0 .* still deployed", history)
    assert re.search(r"web-app 1\.0\.0 .* ago .* ago", history)  # deployed, then undeployed when 1.1.0 came


def test_webhook_pages_show_executions_and_logs_without_secrets(seeded: SeededBroker) -> None:
    listing = soup(seeded, "/webhooks")
    sections = {text(section.h2): section for section in listing.select("section.webhook")}
    ok = next(section for title, section in sections.items() if title.startswith("Tell CI"))
    failing = next(section for title, section in sections.items() if title.startswith("Alert on payment"))
    assert "✔ Succeeded" in text(ok)
    assert "contract_published" in text(ok)
    assert "Authorization: **********" in text(ok)
    assert "✘ Failed" in text(failing)
    assert "3 attempts" in text(failing)
    assert "HTTP/1.1 500" in text(failing.select_one("pre.logs"))
    assert "alerts:**********" in text(failing)
    single = soup(seeded, f"/webhooks/{seeded.seeded.webhook_failing}")
    assert len(single.select("pre.logs")) >= 3
    for path in (
        "/",
        "/webhooks",
        f"/webhooks/{seeded.seeded.webhook_ok}",
        f"/webhooks/{seeded.seeded.webhook_failing}",
    ):
        html = seeded.page(path).text
        assert SECRET_TOKEN not in html
        assert SECRET_PASSWORD not in html


def test_unknown_pages_answer_a_browser_with_an_html_error(seeded: SeededBroker) -> None:
    page = soup(seeded, "/no/such/page", status=404)
    assert "Not found" in text(page)
    api = seeded.client.get("/no/such/page")
    assert api.status_code == 404
    assert api.headers["content-type"].startswith("application/json")
