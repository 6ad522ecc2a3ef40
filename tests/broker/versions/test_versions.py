"""Versions, branches (including names with '/'), branch heads and tags."""

from __future__ import annotations

import pytest

from tests.broker.support import BrokerClient


def test_a_version_describes_its_branches_tags_and_where_it_can_be_recorded(broker: BrokerClient) -> None:
    broker.create_environment("production", production=True)
    broker.publish("web", "1.0.0+build/7", branch="feat/login", tags=["dev"], build_url="https://ci/7")
    body = broker.get("/pacticipants/web/versions/1.0.0%2Bbuild%2F7").json()
    assert body["number"] == "1.0.0+build/7"
    assert body["buildUrl"] == "https://ci/7"
    assert [b["name"] for b in body["_embedded"]["branchVersions"]] == ["feat/login"]
    assert [t["name"] for t in body["_embedded"]["tags"]] == ["dev"]
    [record] = body["_links"]["pb:record-deployment"]
    assert record["name"] == "production"
    assert "/deployed-versions/environment/" in record["href"]


def test_branch_names_with_slashes_route_as_one_segment(broker: BrokerClient) -> None:
    response = broker.put("/pacticipants/api/branches/feat%2Fx/versions/2")
    assert response.status_code == 201
    assert response.json()["name"] == "feat/x"
    assert broker.put("/pacticipants/api/branches/feat%2Fx/versions/2").status_code == 200
    branch = broker.get("/pacticipants/api/branches/feat%2Fx").json()
    assert branch["name"] == "feat/x"
    assert (
        broker.get("/pacticipants/api/branches/feat%2Fx/versions").json()["_embedded"]["versions"][0]["number"] == "2"
    )


def test_branch_head_is_the_newest_version_on_the_branch(broker: BrokerClient) -> None:
    broker.publish("web", "1", branch="main")
    broker.publish("web", "2", branch="main")
    broker.publish("web", "3", branch="other")
    first = broker.get("/pacticipants/web/branches/main/versions/1").json()
    second = broker.get("/pacticipants/web/branches/main/versions/2").json()
    assert (first["latest"], second["latest"]) == (False, True)


def test_latest_version_and_latest_tagged_version(broker: BrokerClient) -> None:
    broker.publish("web", "1", tags=["prod"])
    broker.publish("web", "2", tags=["dev"])
    assert broker.get("/pacticipants/web/latest-version").json()["number"] == "2"
    assert broker.get("/pacticipants/web/latest-version/prod").json()["number"] == "1"
    assert broker.get("/pacticipants/web/latest-version/none").status_code == 404


def test_put_version_creates_then_overwrites_tags_and_build_url(broker: BrokerClient) -> None:
    created = broker.put("/pacticipants/web/versions/5", {"buildUrl": "https://ci/5", "tags": ["a", "b"]})
    assert created.status_code == 201
    replaced = broker.put("/pacticipants/web/versions/5", {"tags": ["c"]})
    assert replaced.status_code == 200
    body = replaced.json()
    assert body["buildUrl"] is None
    assert [t["name"] for t in body["_embedded"]["tags"]] == ["c"]
    merged = broker.patch("/pacticipants/web/versions/5", {"buildUrl": "https://ci/6"})
    assert [t["name"] for t in merged.json()["_embedded"]["tags"]] == ["c"]


def test_versions_are_listed_newest_first_with_paging(broker: BrokerClient) -> None:
    for number in range(1, 6):
        broker.put(f"/pacticipants/web/versions/{number}")
    page = broker.get("/pacticipants/web/versions", params={"size": 2, "page": 2}).json()
    assert [v["number"] for v in page["_embedded"]["versions"]] == ["3", "2"]
    assert page["page"]["totalElements"] == 5
    assert broker.get("/pacticipants/web/versions", params={"size": 0}).status_code == 400
    assert broker.get("/pacticipants/web/versions?page=").status_code == 400


@pytest.mark.parametrize("page", ["99999999999999999999", "1000001", "²", "-1"])
def test_a_page_number_out_of_range_is_refused_with_a_message(broker: BrokerClient, page: str) -> None:
    broker.put("/pacticipants/web/versions/1")
    for path in ("/pacticipants/web/versions", "/pacticipants/web/branches"):
        response = broker.get(path, params={"page": page})
        assert response.status_code == 400, (path, response.text)
        assert response.json() == {"errors": {"page": ["must be from 1 to 1000000"]}}


def test_tags_are_created_once_and_deleted(broker: BrokerClient) -> None:
    assert broker.put("/pacticipants/web/versions/1/tags/prod", {"name": "prod"}).status_code == 201
    assert broker.put("/pacticipants/web/versions/1/tags/prod", {}).status_code == 200
    assert broker.get("/pacticipants/web/versions/1/tags/prod").json()["name"] == "prod"
    assert broker.delete("/pacticipants/web/versions/1/tags/prod").status_code == 200
    assert broker.get("/pacticipants/web/versions/1/tags/prod").status_code == 404


def test_tagging_with_an_environment_name_records_a_deployment(broker: BrokerClient) -> None:
    uuid = broker.create_environment("staging")
    broker.put("/pacticipants/web/versions/1/tags/staging")
    deployed = broker.get(f"/environments/{uuid}/deployed-versions/currently-deployed").json()
    assert [d["_embedded"]["version"]["number"] for d in deployed["_embedded"]["deployedVersions"]] == ["1"]


def test_the_first_tag_becomes_the_branch_when_none_is_given(broker: BrokerClient) -> None:
    broker.publish("web", "1", tags=["main", "x"])
    assert broker.get("/pacticipants/web/branches/main/versions/1").status_code == 200


def test_deleting_a_branch_keeps_its_versions(broker: BrokerClient) -> None:
    broker.publish("web", "1", branch="feat/y")
    assert broker.delete("/pacticipants/web/branches/feat%2Fy").status_code == 200
    assert broker.get("/pacticipants/web/branches/feat%2Fy").status_code == 404
    assert broker.get("/pacticipants/web/versions/1").status_code == 200


def test_deleting_a_version_removes_its_pacts(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api", branch="main")
    broker.publish("web", "2", "api", branch="main")
    assert broker.delete("/pacticipants/web/versions/2").status_code == 200
    latest = broker.get("/pacts/provider/api/consumer/web/branch/main/latest").json()
    assert latest["_links"]["pb:consumer-version"]["name"] == "1"
