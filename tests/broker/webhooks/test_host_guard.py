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


@pytest.mark.parametrize(
    ("form", "url", "wrapped"),
    [
        ("6to4", "http://[2002:7f00:1::]/", "127.0.0.1"),
        ("6to4", "http://[2002:a00:1::]/", "10.0.0.1"),
        ("6to4", "http://[2002:a9fe:a9fe::1]/latest/meta-data", "169.254.169.254"),
        ("Teredo (client)", "http://[2001:0:808:808::80ff:fffe]/", "127.0.0.1"),
        ("Teredo (server)", "http://[2001:0:a00:1::f7f7:f7f7]/", "10.0.0.1"),
        ("IPv4-compatible", "http://[::127.0.0.1]/", "127.0.0.1"),
        ("IPv4-compatible", "http://[::c0a8:1]/", "192.168.0.1"),
        ("IPv4-mapped", "http://[::ffff:a00:1]/", "10.0.0.1"),
        ("IPv4-mapped", "http://[::ffff:127.0.0.1]:9292/", "127.0.0.1"),
        ("IPv4-translated", "http://[::ffff:0:7f00:1]/", "127.0.0.1"),
        ("NAT64", "http://[64:ff9b::7f00:1]/", "127.0.0.1"),
        ("NAT64", "http://[64:ff9b::a9fe:a9fe]/", "169.254.169.254"),
    ],
)
def test_ipv6_forms_are_judged_by_the_ipv4_address_they_wrap(form: str, url: str, wrapped: str) -> None:
    problem = check_saved_url(url, WebhookPolicy())
    assert problem is not None, form
    assert f"wraps the IPv4 address {wrapped}" in problem
    assert "allow-list" in problem


@pytest.mark.parametrize(
    "url",
    [
        "http://[2002:808:808::]/",  # 6to4 of 8.8.8.8
        "http://[64:ff9b::808:808]/",  # NAT64 of 8.8.8.8
        "http://[::ffff:8.8.8.8]/",
        "http://8.8.8.8/",
        "http://[2606:4700:4700::1111]/",
    ],
)
def test_public_hosts_in_any_spelling_are_allowed(url: str) -> None:
    assert check_saved_url(url, WebhookPolicy()) is None


@pytest.mark.parametrize(
    ("url", "block"),
    [
        ("http://[2001:0:808:808::f7f7:f7f7]/", "Teredo"),  # wraps only public addresses, still Teredo
        ("http://[::8.8.8.8]/", "IPv4-compatible"),
        ("http://[64:ff9b:1::808:808]/", "local-use IPv4/IPv6 translation"),
        ("http://192.0.0.9/", "IETF protocol assignments"),
        ("http://192.88.99.1/", "6to4 relay anycast"),
        ("http://198.18.0.1/", "benchmarking"),
        ("http://203.0.113.7/", "documentation"),
        ("http://240.0.0.1/", "reserved"),
        ("http://255.255.255.255/", "limited broadcast"),
        ("http://224.0.0.1/", "multicast"),
        ("http://[2001:db8::1]/", "documentation"),
        ("http://[3fff::1]/", "documentation"),
        ("http://[2001:2::1]/", "IETF protocol assignments"),
        ("http://[100::1]/", "discard-only"),
        ("http://[fc00::1]/", "unique-local"),
        ("http://[fd12:3456::1]/", "unique-local"),
        ("http://[fec0::1]/", "site-local"),
        ("http://[ff02::1]/", "multicast"),
        ("http://[5f00::1]/", "segment routing"),
        ("http://[4000::1]/", "global unicast"),
    ],
)
def test_every_special_purpose_range_is_refused(url: str, block: str) -> None:
    problem = check_saved_url(url, WebhookPolicy())
    assert problem is not None
    assert block in problem


def test_the_allow_list_admits_a_wrapped_address_it_names() -> None:
    assert check_saved_url("http://[2002:a00:1::]/", WebhookPolicy(host_allow_list=("10.0.0.0/8",))) is None


def test_a_broker_refuses_and_never_calls_a_6to4_webhook_wrapping_its_loopback(start_broker) -> None:
    with start_broker(webhooks=WebhookPolicy()) as client:
        client: BrokerClient
        response = client.post("/webhooks", {"request": {"method": "POST", "url": "http://[2002:7f00:1::]/hook"}})
        assert response.status_code == 400
        assert "wraps the IPv4 address 127.0.0.1" in response.json()["errors"]["request.url"][0]
        assert client.get("/webhooks").json()["_links"]["pb:webhooks"] == []


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
