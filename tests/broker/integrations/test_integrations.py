"""Integrations: created by publication, listed, deleted with the pair's pacts."""

from __future__ import annotations

from tests.broker.support import BrokerClient


def test_publishing_creates_one_integration_per_pair(broker: BrokerClient) -> None:
    broker.publish("web", "1", ["api", "billing"])
    broker.publish("web", "2", ["api"])
    pairs = [
        (i["consumer"]["name"], i["provider"]["name"])
        for i in broker.get("/integrations").json()["_embedded"]["integrations"]
    ]
    assert pairs == [("web", "api"), ("web", "billing")]


def test_deleting_an_integration_removes_its_pacts_but_keeps_the_pacticipants(broker: BrokerClient) -> None:
    broker.publish("web", "1", ["api", "billing"])
    broker.verify("api", "web", "1", "5")
    assert broker.delete("/integrations/provider/api/consumer/web").status_code == 200
    assert broker.get("/integrations/provider/api/consumer/web").status_code == 404
    assert broker.get("/pacts/provider/api/consumer/web/latest").status_code == 404
    assert broker.get("/pacts/provider/billing/consumer/web/latest").status_code == 200
    assert broker.get("/pacticipants/api").status_code == 200
