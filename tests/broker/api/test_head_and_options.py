"""HEAD and OPTIONS on every resource, answered once by the router rather than per route."""

from __future__ import annotations

import pytest

from broker.api.resources import build_router
from tests.broker.support import BrokerClient

GET_PATHS = ["/", "/pacticipants", "/pacticipants/web", "/pacticipants/web/versions/1", "/environments", "/health"]


@pytest.mark.parametrize("path", GET_PATHS)
def test_head_answers_like_get_without_a_body(broker: BrokerClient, path: str) -> None:
    broker.publish("web", "1", "api")
    got = broker.get(path)
    head = broker.http.head(path)
    assert head.status_code == got.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert int(head.headers["content-length"]) == len(got.content)


def test_head_of_a_missing_resource_is_404(broker: BrokerClient) -> None:
    assert broker.http.head("/pacticipants/nobody").status_code == 404


def test_options_lists_the_methods_of_the_resource(broker: BrokerClient) -> None:
    response = broker.http.options("/pacticipants/web")
    assert response.status_code == 200
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"}
    assert broker.http.options("/contracts/publish").headers["allow"] == "OPTIONS, POST"
    assert broker.http.options("/nowhere").status_code == 404


def test_every_route_answers_options() -> None:
    router = build_router()
    for operation in router.operations:
        segments = ["x" if part.startswith("{") else part for part in operation.template.strip("/").split("/") if part]
        allowed = router.match("OPTIONS", segments).operation.handler(None).headers["Allow"]  # type: ignore[arg-type]
        assert operation.method in allowed.split(", "), operation.template
