"""Health and Prometheus metrics."""

from __future__ import annotations

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
