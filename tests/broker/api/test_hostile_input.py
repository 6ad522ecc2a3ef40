"""Malformed, oversized and hostile input gets a 4xx with a JSON `errors` body, never a 5xx."""

from __future__ import annotations

import pytest

from tests.broker.support import BrokerClient

INJECTIONS = [
    "'; DROP TABLE pacticipants; --",
    "../../etc/passwd",
    "..%2F..%2Fetc%2Fpasswd",
    "<script>alert(1)</script>",
    "${pactbroker.consumerName}",
    "%00",
    "名前",
    "a" * 2000,
]


def _assert_client_error(response, *, allowed: tuple[int, ...] = (400, 404, 405, 409, 413, 415, 422)) -> None:
    assert response.status_code in allowed, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/json")
    assert "errors" in response.json()


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b"", "application/json", 400),
        (b'{"a": NaN}', "application/json", 400),
        (b"\xff\xfe{}", "application/json", 400),
        (b"[1, 2, 3]", "application/json", 400),
        (b'"just a string"', "application/json", 400),
        (b"[" * 500 + b"]" * 500, "application/json", 400),
        (b'{"pacticipantName": "x"}', "text/plain", 415),
        (b'{"pacticipantName": "x"}', "", 415),
    ],
)
def test_malformed_bodies_are_4xx(broker: BrokerClient, body: bytes, content_type: str, status: int) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = broker.http.post("/contracts/publish", content=body, headers=headers)
    _assert_client_error(response)
    assert response.status_code == status


def test_bodies_over_the_limit_are_413(start_broker) -> None:
    with start_broker(max_body_bytes=1024) as client:
        response = client.http.post(
            "/pacticipants", content=b'{"name": "' + b"x" * 2000 + b'"}', headers={"Content-Type": "application/json"}
        )
        _assert_client_error(response)
        assert response.status_code == 413

        def chunks():
            yield b'{"name": "'
            for _ in range(10):
                yield b"x" * 200
            yield b'"}'

        streamed = client.http.post("/pacticipants", content=chunks(), headers={"Content-Type": "application/json"})
        assert streamed.status_code == 413


@pytest.mark.parametrize("name", INJECTIONS)
def test_hostile_names_in_paths_never_break_the_broker(broker: BrokerClient, name: str) -> None:
    broker.publish("web", "1", "api")
    encoded = name if "%" in name else name.replace("/", "%2F")
    for path in (
        f"/pacticipants/{encoded}",
        f"/pacticipants/web/versions/{encoded}",
        f"/pacts/provider/{encoded}/consumer/web/latest",
        f"/pacts/provider/api/consumer/web/pact-version/{encoded}",
        f"/environments/{encoded}",
        f"/webhooks/{encoded}",
        f"/matrix?q[][pacticipant]={encoded}&q[][version]=1",
    ):
        response = broker.get(path)
        assert response.status_code < 500, (path, response.text[:200])
        if response.status_code >= 400:
            _assert_client_error(response)
    assert broker.get("/pacticipants").status_code == 200


@pytest.mark.parametrize("name", INJECTIONS)
def test_hostile_names_in_bodies_are_stored_verbatim_or_refused(broker: BrokerClient, name: str) -> None:
    response = broker.post("/pacticipants", {"name": name})
    if response.status_code == 201:
        assert broker.get(response.headers["location"]).json()["name"] == name
    else:
        _assert_client_error(response)


def test_path_segments_that_are_not_utf8_are_400(broker: BrokerClient) -> None:
    _assert_client_error(broker.get("/pacticipants/%ff%fe"))


def test_wrong_types_everywhere_are_400(broker: BrokerClient) -> None:
    cases = [
        ("/contracts/publish", {"pacticipantName": 1, "pacticipantVersionNumber": [], "contracts": "x"}),
        ("/contracts/publish", {"pacticipantName": "a", "pacticipantVersionNumber": "1", "contracts": [], "tags": "x"}),
        ("/environments", {"name": ["x"], "production": None}),
        ("/webhooks", {"request": "x", "events": {"name": 1}}),
        ("/pacticipants", {"name": {"nested": True}}),
        ("/pacts/provider/api/for-verification", {"consumerVersionSelectors": "all", "includePendingStatus": "yes"}),
    ]
    broker.publish("web", "1", "api")
    for path, body in cases:
        _assert_client_error(broker.post(path, body), allowed=(400,))


def test_unknown_routes_and_methods(broker: BrokerClient) -> None:
    _assert_client_error(broker.get("/nothing/here"), allowed=(404,))
    response = broker.http.request("TRACE", "/pacticipants")
    _assert_client_error(response, allowed=(405,))
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}
    _assert_client_error(broker.get("/pacticipants/"), allowed=(404,))


def test_matrix_with_garbage_parameters_is_400(broker: BrokerClient) -> None:
    for query in (
        "q[][pacticipant]=",
        "q=1",
        "latestby=zzz&q[][pacticipant]=a",
        "q[][pacticipant]=a&limit=-1",
        "q[][pacticipant]=a&latest=maybe",
    ):
        _assert_client_error(broker.get(f"/matrix?{query}"), allowed=(400,))


def test_deeply_nested_pact_content_is_refused_not_crashed_on(broker: BrokerClient) -> None:
    import base64

    deep = '{"interactions": [' + "[" * 5000 + "]" * 5000 + "]}"
    response = broker.post(
        "/contracts/publish",
        {
            "pacticipantName": "web",
            "pacticipantVersionNumber": "1",
            "contracts": [
                {"consumerName": "web", "providerName": "api", "content": base64.b64encode(deep.encode()).decode()}
            ],
        },
    )
    _assert_client_error(response, allowed=(400,))
    legacy = broker.http.put(
        "/pacts/provider/api/consumer/web/version/1", content=deep, headers={"Content-Type": "application/json"}
    )
    _assert_client_error(legacy, allowed=(400,))
