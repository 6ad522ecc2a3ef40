"""The SSRF guard: private, loopback and link-local destinations need the operator's allow-list."""

from __future__ import annotations

import pytest

from broker.config import WebhookPolicy
from broker.webhooks.host_guard import check_saved_url
from broker.webhooks.redaction import redact_url
from tests.broker.support import BrokerClient

BLOCKED = [
    "http://127.0.0.1:9292/hook",
    "http://localhost/hook",
    "http://api.localhost/hook",
    "http://[::1]/hook",
    "http://169.254.169.254/latest/meta-data",
    "http://10.1.2.3/",
    "http://192.168.0.10/",
    "http://172.16.0.1/",
    "http://100.64.0.1/",
    "http://0.0.0.0/",
    "http://[::ffff:127.0.0.1]/",
    "http://[fe80::1]/",
]


@pytest.mark.parametrize("url", BLOCKED)
def test_non_public_destinations_are_refused_by_default(url: str) -> None:
    problem = check_saved_url(url, WebhookPolicy())
    assert problem is not None
    assert "allow-list" in problem


@pytest.mark.parametrize(
    ("entry", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:1/"),
        ("10.0.0.0/8", "http://10.9.9.9/"),
        ("localhost", "http://localhost/"),
        ("*.internal.example", "http://ci.internal.example/"),
    ],
)
def test_the_allow_list_admits_named_hosts_addresses_and_ranges(entry: str, url: str) -> None:
    assert check_saved_url(url, WebhookPolicy(host_allow_list=(entry,))) is None


def test_only_http_and_https_are_allowed() -> None:
    for url in ("file:///etc/passwd", "gopher://x/", "ftp://example.com/"):
        assert "scheme" in (check_saved_url(url, WebhookPolicy()) or "")


def test_a_default_broker_refuses_a_webhook_to_its_own_loopback(start_broker) -> None:
    with start_broker(webhooks=WebhookPolicy()) as client:
        client: BrokerClient
        response = client.post("/webhooks", {"request": {"method": "POST", "url": f"{client.url}/pacticipants"}})
        assert response.status_code == 400
        assert "allow-list" in response.json()["errors"]["request.url"][0]


def test_credentials_in_urls_are_redacted() -> None:
    assert (
        redact_url("https://user:pw@example.com/x?token=abc&x=1")
        == "https://user:**********@example.com/x?token=**********&x=1"
    )
