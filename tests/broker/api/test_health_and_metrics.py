"""Health and Prometheus metrics."""

from __future__ import annotations

import sqlalchemy as sa

from tests.broker.conftest import StartBroker
from tests.broker.support import BrokerClient


def test_health_reports_the_database(broker: BrokerClient) -> None:
    response = broker.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert broker.get("/diagnostic/status/heartbeat").json() == {"ok": True}


def test_metrics_are_prometheus_text_with_requests_and_totals(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api")
    broker.get("/pacticipants/nobody")
    response = broker.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = response.text
    assert "# TYPE pactbroker_http_requests_total counter" in text
    assert 'pactbroker_http_requests_total{method="POST",route="/contracts/publish",status="200"}' in text
    assert 'route="/pacticipants/{pacticipant}",status="404"' in text
    assert "pactbroker_pact_publications 1" in text
    assert 'pactbroker_http_request_duration_seconds_bucket{method="POST",route="/contracts/publish",le="+Inf"}' in text


def test_ready_only_when_the_schema_is_this_brokers(start_broker: StartBroker) -> None:
    with start_broker() as broker:
        assert broker.get("/ready").json() == {"status": "ok", "database": "migrated"}
        engine = broker.application.database.engine
        with engine.begin() as connection:  # as if an older broker had left the schema behind
            connection.execute(sa.text("UPDATE alembic_version SET version_num = '0001'"))
        behind = broker.get("/ready")
        assert behind.status_code == 503
        assert behind.headers["retry-after"] == "1"
        assert broker.get("/health").status_code == 200  # alive, just not ready
