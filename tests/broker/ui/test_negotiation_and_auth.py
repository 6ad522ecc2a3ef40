"""Same URLs, two audiences: API clients keep getting exactly the API, a browser gets the page;
pages sit behind the broker's auth and show write controls only to those who may write."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from broker.config import AuthSettings
from broker.ui.negotiation import wants_page
from tests.broker.conftest import StartBroker
from tests.broker.support import BrokerClient
from tests.broker.ui.conftest import BROWSER_ACCEPT

PAGES = [
    "/",
    "/pacticipants",
    "/pacticipants/web",
    "/integrations",
    "/matrix?q[][pacticipant]=web",
    "/environments",
    "/webhooks",
    "/coverage",
]
USERS = AuthSettings(username="writer", password="w-pass", read_only_username="reader", read_only_password="r-pass")


@pytest.mark.parametrize(
    ("accept", "page"),
    [
        (BROWSER_ACCEPT, True),
        ("text/html", True),
        ("application/hal+json", False),
        ("application/hal+json, application/json, */*; q=0.01", False),
        ("application/json", False),
        ("text/csv", False),
        ("text/plain", False),
        ("application/yaml", False),
        ("*/*", False),
        ("", False),
        ("image/svg+xml,*/*", False),
    ],
)
def test_the_accept_header_decides_page_or_api(accept: str, page: bool) -> None:
    assert wants_page({"accept": accept} if accept else {}) is page


@pytest.mark.parametrize("path", PAGES)
def test_api_clients_get_the_api_on_every_page_url(broker: BrokerClient, path: str) -> None:
    broker.publish("web", "1", "api", branch="main")
    for headers in ({"Accept": "application/hal+json"}, {"Accept": "*/*"}, {}):
        response = broker.get(path, headers=headers)
        assert response.status_code == 200, response.text
        assert "json" in response.headers["content-type"]
        assert "_links" in response.json() or "summary" in response.json()
    page = broker.get(path, headers={"Accept": BROWSER_ACCEPT})
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"


def _write_controls(client: BrokerClient, path: str, **kwargs: object) -> list[str]:
    response = client.get(path, headers={"Accept": BROWSER_ACCEPT}, **kwargs)
    assert response.status_code == 200, response.text
    return [button.get_text() for button in BeautifulSoup(response.text, "html.parser").select("[data-write]")]


def test_read_only_users_see_everything_but_no_write_controls(start_broker: StartBroker) -> None:
    with start_broker(auth=USERS) as broker:
        broker.publish("web", "1", "api", branch="main", expect=401)
        broker.http.auth = ("writer", "w-pass")
        broker.publish("web", "1", "api", branch="main")
        broker.http.auth = None
        denied = broker.get("/", headers={"Accept": BROWSER_ACCEPT})
        assert denied.status_code == 401
        assert denied.headers["content-type"].startswith("text/html")
        assert "www-authenticate" in denied.headers
        pact = "/pacts/provider/api/consumer/web/version/1"
        assert _write_controls(broker, "/", auth=("writer", "w-pass")) == ["Delete"]
        assert _write_controls(broker, pact, auth=("writer", "w-pass")) == ["Delete this pact version"]
        assert _write_controls(broker, "/", auth=("reader", "r-pass")) == []
        assert _write_controls(broker, pact, auth=("reader", "r-pass")) == []
        for read_only_page in ("/dashboard/provider/api/consumer/web?view=all", "/coverage"):
            assert _write_controls(broker, read_only_page, auth=("writer", "w-pass")) == []
            assert _write_controls(broker, read_only_page, auth=("reader", "r-pass")) == []
        reader_page = broker.get(pact, headers={"Accept": BROWSER_ACCEPT}, auth=("reader", "r-pass")).text
        assert "Interactions (1)" in reader_page


def test_public_read_shows_pages_without_write_controls(start_broker: StartBroker) -> None:
    settings = AuthSettings(username="writer", password="w-pass", allow_public_read=True)
    with start_broker(auth=settings) as broker:
        assert _write_controls(broker, "/") == []
        assert broker.get("/ui/static/broker.css").status_code == 200
