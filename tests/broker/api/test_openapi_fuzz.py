"""The broker's OpenAPI document, checked by fuzzing the live broker with Schemathesis.

Every operation is exercised with generated (and schema-violating) requests against a broker
holding data; any 5xx, undocumented status or content type, body not matching its schema, or
schema-violating request that is accepted fails the test. Bounded: a few examples per operation.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from broker.api.openapi import build_document
from broker.api.resources import build_router
from broker.config import BrokerSettings
from tests.broker.conftest import TEST_WEBHOOKS
from tests.broker.support import BrokerClient

SCHEMA = schemathesis.openapi.from_dict(build_document(build_router(), BrokerSettings(webhooks=TEST_WEBHOOKS)))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
]


@pytest.fixture(scope="module")
def seeded(start_broker) -> Iterator[BrokerClient]:
    with start_broker() as client:
        client.publish("web", "1", "api", branch="main", tags=["prod"])
        client.verify("api", "web", "1", "10", branch="main")
        client.record_deployment("api", "10", "prod")
        client.record_release("web", "1", "prod")
        yield client


def test_the_document_is_served_and_describes_every_route(broker: BrokerClient) -> None:
    document = broker.get("/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    assert len(document["paths"]) >= 70
    publish = document["paths"]["/contracts/publish"]["post"]
    assert set(publish["responses"]) >= {"200", "400", "401", "403", "409", "413", "415", "503"}
    assert "application/json" in publish["requestBody"]["content"]


@SCHEMA.parametrize()
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True)
def test_every_operation_answers_as_documented(case: schemathesis.Case, seeded: BrokerClient) -> None:
    case.call_and_validate(base_url=seeded.url, checks=CHECKS, timeout=30)
