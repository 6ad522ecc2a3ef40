"""Publishing sends only pacts a complete, passing run of their pair wrote, and all of them or none.

The run manifest beside the pacts says how each pair's last run went and what its last
complete run wrote; `publish_pacts`, which `solo60 publish`, `pytest consumers/ --publish` and
the pipeline share, checks every pact against it before sending any.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from solo60.harness.broker_access import BrokerAccess, BrokerClient, BrokerError
from solo60.harness.made.pact_files import pact_files
from solo60.harness.made.runs import PairRun, RunManifest
from solo60.harness.published.publish import PublishOptions, PublishRefused, publish_pacts
from solo60.harness.versions import Revision

OPTIONS = PublishOptions(Revision("c1", "main"))


@pytest.fixture
def broker() -> Iterator[BrokerClient]:
    from broker.testing import running_broker

    with running_broker() as url, BrokerAccess(url).client() as client:
        yield client


def a_pact(directory: Path, consumer: str, provider: str, *descriptions: str) -> Path:
    path = directory / f"{consumer}-{provider}.json"
    path.write_text(
        json.dumps(
            {
                "consumer": {"name": consumer},
                "provider": {"name": provider},
                "interactions": [
                    {"type": "Synchronous/HTTP", "description": text, "request": {"method": "GET", "path": "/"},
                     "response": {"status": 200}}
                    for text in descriptions
                ],
                "metadata": {"pactSpecification": {"version": "4.0"}},
            }
        )
    )  # fmt: skip
    return path


def ran(directory: Path, consumer: str, provider: str, *, tests: int, passed: int, failed: int = 0) -> None:
    """Record a run of the pair in the manifest, as the consumer plugin does (a complete one writes)."""
    run = PairRun(consumer, provider, collected={f"t{index}" for index in range(tests)})
    run.passed = {f"t{index}" for index in range(passed)}
    run.failed = {f"t{index}" for index in range(passed, passed + failed)}
    written = next((pact for pact in pact_files(directory) if pact.pair == run.pair), None)
    manifest = RunManifest.load(directory)
    manifest.record(run, written if run.outcome == "complete" else None)
    manifest.save()


def published(broker: BrokerClient, consumer: str) -> bool:
    """Whether the broker has the consumer's version c1 (publishing creates it)."""
    try:
        broker.get(f"/pacticipants/{consumer}/versions/c1")
    except BrokerError as error:
        if error.status != 404:
            raise
        return False
    return True


def test_pacts_a_complete_run_wrote_are_published(tmp_path: Path, broker: BrokerClient) -> None:
    a_pact(tmp_path, "auth", "user", "a lookup")
    ran(tmp_path, "auth", "user", tests=1, passed=1)

    sent = publish_pacts(broker, pact_files(tmp_path), OPTIONS)

    assert [pact.pair for pact in sent] == ["auth -> user"]
    assert published(broker, "auth")


@pytest.mark.parametrize(
    ("after_the_complete_run", "reason"),
    [
        (lambda d: ran(d, "auth", "user", tests=3, passed=1), "the last run of its tests was partial (1 of 3 tests"),
        (lambda d: ran(d, "auth", "user", tests=3, passed=2, failed=1), "was failing (1 of 3 tests failed)"),
        (lambda d: a_pact(d, "auth", "user", "a lookup", "a lookup typed in"), "changed after the complete run"),
    ],
    ids=["partial", "failing", "edited"],
)
def test_a_pact_the_last_run_left_incomplete_is_refused_and_nothing_is_published(
    tmp_path: Path,
    broker: BrokerClient,
    after_the_complete_run,
    reason: str,  # type: ignore[no-untyped-def]
) -> None:
    a_pact(tmp_path, "auth", "user", "a lookup")
    a_pact(tmp_path, "session", "gym", "a gym")
    ran(tmp_path, "auth", "user", tests=1, passed=1)
    ran(tmp_path, "session", "gym", tests=1, passed=1)
    after_the_complete_run(tmp_path)

    with pytest.raises(PublishRefused) as refused:
        publish_pacts(broker, pact_files(tmp_path), OPTIONS)

    (why,) = refused.value.reasons
    assert why.startswith("auth -> user: ")
    assert reason in why
    assert not published(broker, "session"), "a pact was published although another was refused"


def test_a_pact_no_run_recorded_is_refused(tmp_path: Path, broker: BrokerClient) -> None:
    a_pact(tmp_path, "auth", "user", "a lookup")

    with pytest.raises(PublishRefused, match=r"auth-user\.json was not written by a complete run"):
        publish_pacts(broker, pact_files(tmp_path), OPTIONS)
