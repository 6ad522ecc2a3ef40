"""The UI in a real browser (headless Chromium): every page renders its content with nothing
loaded from outside 127.0.0.1, every link resolves, every form field has a label, no status is
told by colour alone, the matrix form gives the API's rows, and write controls work for writers.
Screenshots of each page go to reports/ui/ (git-ignored)."""

from __future__ import annotations

from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from bs4 import BeautifulSoup

from broker.config import AuthSettings
from tests.broker.conftest import StartBroker
from tests.broker.support import segment
from tests.broker.ui.browser import CHROMEDRIVER, CHROMIUM, STATUS_BY_COLOUR_ALONE, UNLABELLED_FIELDS, chromium, network
from tests.broker.ui.conftest import BROWSER_ACCEPT, SeededBroker

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None or CHROMEDRIVER is None,
        reason="needs Chromium and chromedriver (Debian packages chromium, chromium-driver; .ci/run installs them)",
    ),
]
SCREENSHOTS = Path(__file__).resolve().parents[3] / "reports" / "ui"
MAX_CRAWL = 400


def pages(seeded: SeededBroker) -> dict[str, tuple[str, str]]:
    """name -> (path, text the page must show)."""
    test_env = seeded.seeded.environments["test"]
    return {
        "index": ("/", "web-app"),
        "index-by-labels": ("/?tags=true", "tag: prod"),
        "pact": (
            "/pacts/provider/session-service/consumer/web-app/version/1.1.0",
            "Changes since the previous version",
        ),
        "verification": (
            "/pacts/provider/payment-service/consumer/mobile-app/latest",
            "Verifications of this content",
        ),
        "matrix": (
            "/matrix?q[][pacticipant]=web-app&q[][branch]=main&q[][latest]=true&q[][pacticipant]=session-service"
            "&latestby=cvpv&limit=100",
            "Pact verified",
        ),
        "integration-matrix": ("/matrix/provider/user-service/consumer/web-app", "Pact published"),
        "can-i-deploy": (
            "/can-i-deploy?pacticipant=mobile-app&version=2.0.0&environment=test",
            "No: not safe to deploy",
        ),
        "can-i-deploy-branch": (
            "/pacticipants/web-app/branches/main/latest-version/can-i-deploy/to-environment/production",
            "Reasons",
        ),
        "provider-contract": (
            "/contracts/bi-directional/provider/communication-service/version/9.1.0/provider-contract",
            "response.body.incompatible",
        ),
        "pacticipants": ("/pacticipants", "communication-service"),
        "pacticipant": ("/pacticipants/session-service", "Neighbourhood"),
        "network": ("/integrations", "9 integrations"),
        "environments": ("/environments", "released, supported"),
        "environment": (f"/environments/{test_env}", "still deployed"),
        "webhooks": ("/webhooks", "Latest executions"),
        "dashboard": ("/dashboard/provider/session-service/consumer/web-app", "branch feat/booking-ui"),
        "dashboard-environments": (
            "/dashboard/provider/session-service/consumer/web-app?view=environment",
            "deployed to production",
        ),
        "coverage": ("/coverage", "Incompatible by comparison"),
        "webhook": (f"/webhooks/{seeded.seeded.webhook_failing}", "3 attempts"),
    }


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as driver:
        yield driver


def test_every_page_renders_offline_labelled_and_in_words(seeded: SeededBroker, browser, backend: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    origin = seeded.url
    network(browser)  # forget what came before
    for name, (path, expected) in pages(seeded).items():
        browser.get(origin + path)
        body = browser.find_element("tag name", "body").text
        assert expected in body, f"{name}: '{expected}' not shown"
        assert browser.title.endswith("Pact Broker"), name
        assert browser.execute_script(UNLABELLED_FIELDS) == [], f"{name}: form fields without a label"
        assert browser.execute_script(STATUS_BY_COLOUR_ALONE) == [], f"{name}: a status shown by colour alone"
        styled = browser.execute_script("return getComputedStyle(document.querySelector('header.site')).display")
        assert styled == "flex", f"{name}: the packaged stylesheet did not apply"
        exchanges = network(browser)
        outside = [e.url for e in exchanges if not e.url.startswith((origin + "/", "data:"))]
        assert outside == [], f"{name}: requests left 127.0.0.1: {outside}"
        failed = [(e.url, e.status) for e in exchanges if e.status is not None and e.status >= 400]
        assert failed == [], f"{name}: {failed}"
        browser.save_screenshot(str(SCREENSHOTS / f"{name}-{backend}.png"))


def test_every_link_resolves(seeded: SeededBroker) -> None:
    """Crawl every same-origin link and image from the index, as a browser would request them."""
    origin = urlsplit(seeded.url)
    queue, seen, broken = deque([seeded.url + "/"]), {seeded.url + "/"}, []
    with httpx.Client(timeout=30) as client:
        while queue and len(seen) <= MAX_CRAWL:
            url = queue.popleft()
            response = client.get(url, headers={"Accept": BROWSER_ACCEPT})
            if response.status_code >= 400:
                broken.append((url, response.status_code))
                continue
            if not response.headers["content-type"].startswith("text/html"):
                continue
            document = BeautifulSoup(response.text, "html.parser")
            for element in document.select("a[href], img[src], link[href], script[src]"):
                target = urljoin(url, element.get("href") or element.get("src")).split("#", 1)[0]
                parts = urlsplit(target)
                if (parts.scheme, parts.netloc) == (origin.scheme, origin.netloc) and target not in seen:
                    seen.add(target)
                    queue.append(target)
    assert broken == []
    assert len(seen) > 60  # the crawl reached the pacts, verifications, pacticipants and environments


def test_the_matrix_form_returns_the_same_rows_as_the_api(seeded: SeededBroker, browser) -> None:
    from selenium.webdriver.support.ui import Select, WebDriverWait

    browser.get(seeded.url + "/matrix")
    browser.find_element("id", "pacticipant-1").send_keys("web-app")
    Select(browser.find_element("id", "kind-1")).select_by_value("branch")
    browser.find_element("id", "value-1").send_keys("main")
    browser.find_element("id", "pacticipant-2").send_keys("session-service")
    Select(browser.find_element("id", "latestby")).select_by_value("")
    browser.find_element("css selector", "form.matrix-form button[type=submit]").click()
    WebDriverWait(browser, 10).until(
        lambda d: "q[][branch]=main" in d.current_url.replace("%5B", "[").replace("%5D", "]")
    )
    shown = [
        tuple(cell.text.split(" ")[0] for cell in row.find_elements("tag name", "td")[:5:1] if cell is not None)
        for row in browser.find_elements("css selector", "table.matrix tbody tr")
    ]
    api = httpx.get(browser.current_url, headers={"Accept": "application/hal+json"}).json()
    expected = [
        (
            row["consumer"]["name"],
            row["consumer"]["version"]["number"],
            row["provider"]["name"],
            (row["provider"]["version"] or {}).get("number", "\u2013"),  # the page's dash for "none"
        )
        for row in api["matrix"]
    ]
    assert len(expected) == 2  # web-app 1.0.0 and 1.1.0 on main, against session-service
    assert [(c, v, p, pv) for c, v, _, p, pv in shown] == expected


def test_writers_delete_from_the_page_and_readers_see_no_button(start_broker: StartBroker, tmp_path: Path) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    users = AuthSettings(username="writer", password="w-pass", read_only_username="reader", read_only_password="r-pass")
    writer = {"Authorization": "Basic d3JpdGVyOnctcGFzcw=="}  # writer:w-pass
    reader = {"Authorization": "Basic cmVhZGVyOnItcGFzcw=="}  # reader:r-pass
    with start_broker(auth=users) as broker:
        broker.http.auth = ("writer", "w-pass")
        broker.publish("web", "1", ["api", "search"], branch="main")
        broker.http.auth = None
        with chromium(tmp_path / "reader", reader) as as_reader:
            as_reader.get(broker.url + "/")
            assert "search" in as_reader.find_element("tag name", "body").text
            assert as_reader.find_elements("css selector", "[data-write]") == []
        with chromium(tmp_path / "writer", writer) as as_writer:
            as_writer.get(broker.url + "/")
            as_writer.execute_script("window.confirm = () => true;")
            row = as_writer.find_element("css selector", 'tr[data-provider="search"]')
            row.find_element("css selector", "button[data-write]").click()
            WebDriverWait(as_writer, 10).until(
                lambda d: not d.find_elements("css selector", 'tr[data-provider="search"]')
            )
            assert as_writer.find_elements("css selector", 'tr[data-provider="api"]')
        remaining = broker.get("/integrations", auth=("reader", "r-pass")).json()["_embedded"]["integrations"]
        assert [i["provider"]["name"] for i in remaining] == ["api"]
        gone = broker.get(f"/pacts/provider/{segment('search')}/consumer/web/latest", auth=("reader", "r-pass"))
        assert gone.status_code == 404


def test_the_dashboard_is_reached_from_the_index_and_leads_to_pacts(seeded: SeededBroker, browser) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(seeded.url + "/")
    row = browser.find_element("css selector", 'tr[data-consumer="web-app"][data-provider="session-service"]')
    row.find_element("partial link text", "Dashboard").click()
    WebDriverWait(browser, 10).until(lambda d: "/dashboard/provider/session-service/consumer/web-app" in d.current_url)
    browser.find_element("link text", "By environment").click()
    WebDriverWait(browser, 10).until(lambda d: "view=environment" in d.current_url)
    first = browser.find_element("css selector", "table.dashboard tbody tr")
    assert first.text.startswith("deployed to test")
    first.find_element("partial link text", "View pact").click()
    WebDriverWait(browser, 10).until(lambda d: "/version/1.1.0" in d.current_url)
    assert "Pact between web-app and session-service" in browser.find_element("tag name", "h1").text
    browser.find_element("link text", "Coverage").click()
    WebDriverWait(browser, 10).until(lambda d: d.current_url.endswith("/coverage"))
    assert "communication-service" in browser.find_element("tag name", "h2").text
