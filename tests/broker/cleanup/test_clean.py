"""Cleaning a long-lived broker: what keep selectors name stays, can-i-deploy answers the same,
stale branches and overwritten data go, a dry run deletes nothing, batches are bounded, and
only one clean runs at a time."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import pytest

from broker.api.application import BrokerApplication
from broker.cleanup.selectors import parse_keep_selectors
from broker.cleanup.service import CLEAN_LOCK, CleanOptions, clean
from broker.config import CleanSettings
from broker.storage.locks import session_lock
from broker.storage.schema import utcnow
from broker.storage.tables import metadata
from broker.testing import running_broker_server
from tests.broker.conftest import StartBroker
from tests.broker.support import BrokerClient, interaction

OLD = 200  # days: past every default age limit


def age_everything(application: BrokerApplication, days: float) -> None:
    """Move every row's timestamps `days` into the past, as if the data were that old."""
    moment = utcnow() - timedelta(days=days)
    with application.database.engine.begin() as connection:
        for table in metadata.sorted_tables:
            if "created_at" in table.c:
                connection.execute(table.update().values(created_at=moment))


def remaining_versions(broker: BrokerClient, pacticipant: str) -> set[str]:
    body = broker.get(f"/pacticipants/{pacticipant}/versions", params={"size": 1000}).json()
    return {item["number"] for item in body["_embedded"]["versions"]}


def run_clean(broker: BrokerClient, **options: Any) -> Any:
    return clean(broker.application.database, CleanOptions(**options))


def history(broker: BrokerClient) -> None:
    """web and api with a year of history: branches, a tag, deployments, releases, verifications."""
    broker.create_environment("production", production=True)
    for number in ("1", "2", "3", "4", "5", "6"):
        broker.publish("web", number, "api", branch="main", interactions=[interaction(f"request {number}")])
        broker.verify("api", "web", number, f"p{number}", branch="main")
    broker.publish("web", "f1", "api", branch="feat/x", interactions=[interaction("feature 1")])
    broker.publish("web", "f2", "api", branch="feat/x", interactions=[interaction("feature 2")])
    broker.put("/pacticipants/web/versions/2/tags/prod")
    broker.record_deployment("web", "3", "production")
    broker.record_release("web", "4", "production")
    broker.record_deployment("api", "p3", "production")
    age_everything(broker.application, OLD)
    broker.publish("web", "7", "api", branch="main", interactions=[interaction("request 7")])  # this week's


def test_the_default_selectors_keep_latest_heads_tags_deployed_released_and_recent(broker: BrokerClient) -> None:
    history(broker)
    report = run_clean(broker)
    assert remaining_versions(broker, "web") == {"7", "f2", "2", "3", "4"}
    # api: p3 is deployed, p6 the latest and the head of api's main branch
    assert remaining_versions(broker, "api") == {"p3", "p6"}
    assert report.pacticipants["web"].deleted == 4
    assert (report.pacticipants["web"].kept, report.pacticipants["api"].kept) == (5, 2)
    assert broker.get("/pacts/provider/api/consumer/web/version/f2").status_code == 200
    assert broker.get("/pacts/provider/api/consumer/web/version/1").status_code == 404
    assert report.deleted["branches"] == 1  # feat/x saw no version for 200 days; f2 outlives it
    assert broker.get("/pacticipants/web/branches/feat%2Fx").status_code == 404


def test_custom_selectors_keep_exactly_what_they_name(broker: BrokerClient) -> None:
    history(broker)
    keep = parse_keep_selectors('[{"pacticipant": "web", "tag": "prod"}, {"pacticipant": "api", "latest": true}]')
    run_clean(broker, keep=keep)
    assert remaining_versions(broker, "web") == {"2"}
    assert remaining_versions(broker, "api") == {"p6"}
    # the main branch's head went, so its latest pact is now the kept version's
    latest_on_main = broker.get("/pacts/provider/api/consumer/web/branch/main/latest").json()
    assert latest_on_main["_links"]["pb:consumer-version"]["name"] == "2"


def test_can_i_deploy_answers_the_same_after_a_clean(broker: BrokerClient) -> None:
    history(broker)
    questions = [
        ("web", "3", {"environment": "production"}),  # deployed
        ("web", "4", {"environment": "production"}),  # released
        ("api", "p3", {"environment": "production"}),  # deployed provider
        ("web", "2", {"to": "prod"}),
        ("web", "7", {"environment": "production"}),
    ]
    before = [broker.can_i_deploy(name, number, **options) for name, number, options in questions]
    report = run_clean(broker)
    assert report.versions_deleted > 0
    after = [broker.can_i_deploy(name, number, **options) for name, number, options in questions]
    assert after == before


def test_a_dry_run_reports_per_pacticipant_and_deletes_nothing(broker: BrokerClient) -> None:
    history(broker)
    planned = run_clean(broker, dry_run=True)
    assert remaining_versions(broker, "web") == {"1", "2", "3", "4", "5", "6", "7", "f1", "f2"}
    web = planned.pacticipants["web"]
    assert (web.deleted, web.first, web.last, web.kept) == (4, "1", "f1", 5)
    assert (
        dict((json.dumps(selector), count) for selector, count in planned.kept_by_selector)['{"deployed": true}'] == 2
    )
    done = run_clean(broker)
    assert {name: item.deleted for name, item in done.pacticipants.items()} == {
        name: item.deleted for name, item in planned.pacticipants.items()
    }


def test_versions_go_in_bounded_batches(broker: BrokerClient) -> None:
    for number in range(9):
        broker.publish("web", str(number), "api", branch="main")
    age_everything(broker.application, OLD)
    report = run_clean(broker, batch_size=2)
    assert remaining_versions(broker, "web") == {"8"}
    assert report.pacticipants["web"].deleted == 8
    assert report.batches >= 8 // 2


def test_stale_non_main_branches_go_and_the_main_branch_stays(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api", branch="main")
    broker.publish("web", "2", "api", branch="old-feature")
    age_everything(broker.application, OLD)
    broker.publish("web", "3", "api", branch="new-feature")
    report = run_clean(broker, keep=parse_keep_selectors('[{"maxAgeDays": 1000}]'))
    assert report.deleted["branches"] == 1
    assert broker.get("/pacticipants/web/branches/old-feature").status_code == 404
    assert broker.get("/pacticipants/web/branches/main").status_code == 200
    assert broker.get("/pacticipants/web/branches/new-feature").status_code == 200
    assert remaining_versions(broker, "web") == {"1", "2", "3"}  # versions outlive their branch


def test_overwritten_data_goes_after_its_max_age(start_broker: StartBroker) -> None:
    with start_broker(allow_dangerous_contract_modification=True) as broker:
        broker.publish("web", "1", "api", interactions=[interaction("first content")])
        first = broker.pact("api", "web", "1")
        old_content = first["_links"]["self"]["href"]
        old_version_href = broker.get(old_content).json()["_links"]["pb:pact-version"]["href"]
        superseded = broker.verify("api", "web", "1", "p1", success=False)
        broker.publish("web", "1", "api", interactions=[interaction("second content")])  # overwrites
        latest = broker.verify("api", "web", "1", "p1")
        broker.verify("api", "web", "1", "p1")  # the same provider version again: the previous one is superseded
        young = run_clean(broker, keep=parse_keep_selectors('[{"maxAgeDays": 1000}]'))
        assert young.deleted["verification results (superseded)"] == 0  # not old enough yet

        age_everything(broker.application, OLD)
        report = run_clean(broker, keep=parse_keep_selectors('[{"maxAgeDays": 1000}]'))
        assert report.deleted["verification results (superseded)"] == 1
        assert report.deleted["pact versions (overwritten)"] == 1
        assert report.deleted["pact content"] >= 1
        assert broker.get(superseded["_links"]["self"]["href"]).status_code == 404
        assert broker.get(latest["_links"]["self"]["href"]).status_code == 404  # superseded by the third
        assert broker.get(old_version_href).status_code == 404
        assert broker.pact("api", "web", "1")["interactions"][0]["description"] == "second content"
        verdict = broker.can_i_deploy("web", "1")
        assert verdict["summary"]["deployable"] is True


@pytest.mark.postgres
def test_one_clean_at_a_time(postgres_url: str) -> None:
    with running_broker_server(postgres_url) as server, BrokerClient(server.url, server.application) as broker:
        broker.publish("web", "1", "api")
        age_everything(broker.application, OLD)
        broker.publish("web", "2", "api")
        with broker.application.database.engine.connect() as other, session_lock(other, CLEAN_LOCK) as held:
            assert held  # another instance is cleaning
            assert run_clean(broker).skipped
            assert remaining_versions(broker, "web") == {"1", "2"}
        assert not run_clean(broker).skipped
        assert remaining_versions(broker, "web") == {"2"}


def test_the_broker_cleans_on_its_schedule(start_broker: StartBroker) -> None:
    schedule = CleanSettings(enabled=True, cron_schedule="* * * * * */1")  # every second (croniter's seconds field)
    with start_broker(clean=schedule) as broker:
        for number in ("1", "2"):
            broker.publish("web", number, "api", branch="main")
        age_everything(broker.application, OLD)
        deadline = time.monotonic() + 15
        while remaining_versions(broker, "web") != {"2"} and time.monotonic() < deadline:
            time.sleep(0.2)
        assert remaining_versions(broker, "web") == {"2"}


def test_selectors_are_checked() -> None:
    from broker.errors import InvalidInputError

    for text, message in (
        ("[{", "not JSON"),
        ("[]", "empty list"),
        ('[{"latest": "yes"}]', "latest must be true or false"),
        ('[{"maxAgeDays": -1}]', "maxAgeDays must be a number of days"),
        ('[{"pacticipant": "web"}]', "names no versions"),
        ('[{"colour": "red"}]', "unknown key(s): colour"),
    ):
        with pytest.raises(InvalidInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
            parse_keep_selectors(text)
    assert parse_keep_selectors('{"max_age": 30}')[0].max_age_days == 30
    assert parse_keep_selectors('[{"maxAge": 30, "branch": true, "latest": true}]')[0].branch is True
