"""can-i-deploy and the matrix as data: each case sets up pacts, verifications and deployments,
asks a question and checks the verdict, the counts and the reasons the official broker gives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from tests.broker.support import BrokerClient, interaction

Step = Callable[[BrokerClient], None]


def publish(consumer: str, version: str, provider: str = "api", content: str = "v1", **options: object) -> Step:
    return lambda b: b.publish(consumer, version, provider, interactions=[interaction(content)], **options)  # type: ignore[arg-type]


def verify(
    provider_version: str,
    consumer_version: str,
    *,
    consumer: str = "web",
    provider: str = "api",
    success: bool = True,
    branch: str | None = None,
) -> Step:
    return lambda b: b.verify(provider, consumer, consumer_version, provider_version, success=success, branch=branch)


def deploy(pacticipant: str, version: str, environment: str = "prod", instance: str | None = None) -> Step:
    def step(b: BrokerClient) -> None:
        b.put(f"/pacticipants/{pacticipant}/versions/{version}")
        b.record_deployment(pacticipant, version, environment, instance)

    return step


def release(pacticipant: str, version: str, environment: str = "prod") -> Step:
    def step(b: BrokerClient) -> None:
        b.put(f"/pacticipants/{pacticipant}/versions/{version}")
        b.record_release(pacticipant, version, environment)

    return step


def version(pacticipant: str, number: str, branch: str | None = None) -> Step:
    def step(b: BrokerClient) -> None:
        if branch:
            b.put(f"/pacticipants/{pacticipant}/branches/{branch}/versions/{number}")
        else:
            b.put(f"/pacticipants/{pacticipant}/versions/{number}")

    return step


def environment(name: str) -> Step:
    return lambda b: b.environment_uuid(name) and None


@dataclass
class Case:
    name: str
    steps: list[Step]
    query: str
    deployable: bool | None
    counts: tuple[int, int, int]  # success, failed, unknown
    reason: str
    extra: dict[str, object] = field(default_factory=dict)


CASES = [
    Case(
        "consumer with a successful verification by the deployed provider",
        [publish("web", "1"), deploy("api", "10"), verify("10", "1")],
        "q[][pacticipant]=web&q[][version]=1&latestby=cvpv&environment=prod",
        True,
        (1, 0, 0),
        "All required verification results are published and successful",
    ),
    Case(
        "consumer whose pact was never verified",
        [publish("web", "1"), deploy("api", "10")],
        "q[][pacticipant]=web&q[][version]=1&latestby=cvpv&environment=prod",
        None,
        (0, 0, 1),
        "There is no verified pact between version 1 of web and the version of api currently in prod (10)",
    ),
    Case(
        "consumer whose provider is not in the environment at all",
        [publish("web", "1"), environment("prod")],
        "q[][pacticipant]=web&q[][version]=1&latestby=cvpv&environment=prod",
        None,
        (0, 0, 1),
        "There is no verified pact between version 1 of web and a version of api currently in prod "
        "(no version is currently recorded as deployed/released in this environment)",
    ),
    Case(
        "failed verification",
        [publish("web", "1"), deploy("api", "10"), verify("10", "1", success=False)],
        "q[][pacticipant]=web&q[][version]=1&latestby=cvpv&environment=prod",
        False,
        (0, 1, 0),
        "The verification for the pact between version 1 of web and the version of api currently in prod (10) failed",
    ),
    Case(
        "failed then successful verification by the same provider version: the latest wins",
        [publish("web", "1"), deploy("api", "10"), verify("10", "1", success=False), verify("10", "1")],
        "q[][pacticipant]=web&q[][version]=1&latestby=cvpv&environment=prod",
        True,
        (1, 0, 0),
        "All required verification results are published and successful",
    ),
    Case(
        "verified by a provider version that is not the one deployed",
        [publish("web", "1"), deploy("api", "10"), verify("11", "1")],
        "q[][pacticipant]=web&q[][version]=1&latestby=cvpv&environment=prod",
        None,
        (0, 0, 1),
        "There is no verified pact between version 1 of web and the version of api currently in prod (10)",
    ),
    Case(
        "identical content verified for an earlier consumer version counts",
        [
            publish("web", "1", content="same"),
            publish("web", "2", content="same"),
            deploy("api", "10"),
            verify("10", "1"),
        ],
        "q[][pacticipant]=web&q[][version]=2&latestby=cvpv&environment=prod",
        True,
        (1, 0, 0),
        "All required verification results are published and successful",
    ),
    Case(
        "changed content is not covered by the old verification",
        [
            publish("web", "1", content="old"),
            publish("web", "2", content="new"),
            deploy("api", "10"),
            verify("10", "1"),
        ],
        "q[][pacticipant]=web&q[][version]=2&latestby=cvpv&environment=prod",
        None,
        (0, 0, 1),
        "There is no verified pact between version 2 of web and the version of api currently in prod (10)",
    ),
    Case(
        "provider with no consumers can deploy",
        [version("api", "10"), environment("prod")],
        "q[][pacticipant]=api&q[][version]=10&latestby=cvpv&environment=prod",
        True,
        (0, 0, 0),
        "There are no missing dependencies",
    ),
    Case(
        "provider that has verified the consumer deployed in the environment",
        [publish("web", "1"), deploy("web", "1"), verify("10", "1")],
        "q[][pacticipant]=api&q[][version]=10&latestby=cvpv&environment=prod",
        True,
        (1, 0, 0),
        "All required verification results are published and successful",
    ),
    Case(
        "provider that has not verified a consumer deployed in the environment",
        [publish("web", "1"), deploy("web", "1"), version("api", "10")],
        "q[][pacticipant]=api&q[][version]=10&latestby=cvpv&environment=prod",
        None,
        (0, 0, 1),
        "There is no verified pact between the version of web currently in prod (1) and version 10 of api",
    ),
    Case(
        "provider deploys fine when the consumer in the environment is an old version without the pact",
        [version("web", "0"), deploy("web", "0"), publish("web", "1"), version("api", "10")],
        "q[][pacticipant]=api&q[][version]=10&latestby=cvpv&environment=prod",
        True,
        (0, 0, 0),
        "There are no missing dependencies",
    ),
    Case(
        "old consumer version that did not depend on the new provider",
        [version("web", "1"), publish("mobile", "1", provider="web"), environment("prod")],
        "q[][pacticipant]=web&q[][version]=1&latestby=cvpv&environment=prod",
        True,
        (0, 0, 0),
        "There are no missing dependencies",
    ),
    Case(
        "several deployed targets: all verified",
        [
            publish("web", "1"),
            deploy("api", "10", instance="blue"),
            deploy("api", "11", instance="green"),
            verify("10", "1"),
            verify("11", "1"),
        ],
        "q[][pacticipant]=web&q[][version]=1&latestby=cvpv&environment=prod",
        True,
        (2, 0, 0),
        "All required verification results are published and successful",
    ),
    Case(
        "several deployed targets: one failed",
        [
            publish("web", "1"),
            deploy("api", "10", instance="blue"),
            deploy("api", "11", instance="green"),
            verify("10", "1"),
            verify("11", "1", success=False),
        ],
        "q[][pacticipant]=web&q[][version]=1&latestby=cvpv&environment=prod",
        False,
        (1, 1, 0),
        "The verification for the pact between version 1 of web and one of the versions of api currently in prod (11) "
        "failed",
    ),
    Case(
        "several deployed targets: one never verified",
        [
            publish("web", "1"),
            deploy("api", "10", instance="blue"),
            deploy("api", "11", instance="green"),
            verify("10", "1"),
        ],
        "q[][pacticipant]=web&q[][version]=1&latestby=cvpv&environment=prod",
        None,
        (1, 0, 1),
        "There is no verified pact between version 1 of web and one of the versions of api currently in prod (11)",
    ),
    Case(
        "a redeploy without a target replaces the previous version",
        [
            publish("web", "1"),
            deploy("api", "10"),
            verify("10", "1", success=False),
            deploy("api", "11"),
            verify("11", "1"),
        ],
        "q[][pacticipant]=web&q[][version]=1&latestby=cvpv&environment=prod",
        True,
        (1, 0, 0),
        "All required verification results are published and successful",
    ),
    Case(
        "released versions count like deployed ones",
        [publish("web", "1"), release("api", "10"), release("api", "11"), verify("10", "1"), verify("11", "1")],
        "q[][pacticipant]=web&q[][version]=1&latestby=cvpv&environment=prod",
        True,
        (2, 0, 0),
        "All required verification results are published and successful",
    ),
    Case(
        "an unknown version of a known pacticipant is not deployable",
        [publish("web", "1"), environment("prod")],
        "q[][pacticipant]=web&q[][version]=9&latestby=cvpv&environment=prod",
        False,
        (0, 0, 0),
        "No pacts or verifications have been published for version 9 of web",
    ),
    Case(
        "ignoring a failing provider",
        [publish("web", "1"), deploy("api", "10"), verify("10", "1", success=False)],
        "q[][pacticipant]=web&q[][version]=1&latestby=cvpv&environment=prod&ignore[][pacticipant]=api",
        True,
        (0, 0, 0),
        "There are no missing dependencies",
        {"ignored": 1},
    ),
    Case(
        "ignoring a pacticipant that does not exist warns",
        [publish("web", "1"), deploy("api", "10"), verify("10", "1")],
        "q[][pacticipant]=web&q[][version]=1&latestby=cvpv&environment=prod&ignore[][pacticipant]=ghost",
        True,
        (1, 0, 0),
        "WARN: Cannot ignore any version of ghost (no such pacticipant exists)",
    ),
    Case(
        "to a tag: the latest provider version with that tag",
        [
            publish("web", "1"),
            version("api", "10"),
            version("api", "11"),
            verify("10", "1"),
            verify("11", "1", success=False),
            lambda b: b.put("/pacticipants/api/versions/10/tags/prod") and None,
        ],
        "q[][pacticipant]=web&q[][version]=1&latestby=cvp&latest=true&tag=prod",
        True,
        (1, 0, 0),
        "All required verification results are published and successful",
    ),
    Case(
        "without a destination the latest provider version counts and a warning is given",
        [publish("web", "1"), verify("10", "1"), verify("11", "1", success=False)],
        "q[][pacticipant]=web&q[][version]=1&latestby=cvp&latest=true",
        False,
        (0, 1, 0),
        "WARN: It is recommended to specify the environment into which you are deploying",
    ),
    Case(
        "can-i-merge: against the provider's main branch head",
        [publish("web", "1"), verify("10", "1", branch="main"), version("api", "11", branch="feat")],
        "q[][pacticipant]=web&q[][version]=1&latestby=cvp&latest=true&mainBranch=true",
        True,
        (1, 0, 0),
        "All required verification results are published and successful",
    ),
    Case(
        "two pacticipants named explicitly",
        [publish("web", "1"), verify("10", "1")],
        "q[][pacticipant]=web&q[][version]=1&q[][pacticipant]=api&q[][version]=10&latestby=cvpv",
        True,
        (1, 0, 0),
        "All required verification results are published and successful",
    ),
    Case(
        "a selector by branch warns to use a version number",
        [publish("web", "1", branch="main"), deploy("api", "10"), verify("10", "1")],
        "q[][pacticipant]=web&q[][branch]=main&q[][latest]=true&latestby=cvpv&environment=prod",
        True,
        (1, 0, 0),
        "WARN: It is recommended to specify the version number",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_can_i_deploy(broker: BrokerClient, case: Case) -> None:
    for step in case.steps:
        step(broker)
    answer = broker.matrix(case.query)
    summary = answer["summary"]
    assert summary["deployable"] is case.deployable, summary
    assert (summary["success"], summary["failed"], summary["unknown"]) == case.counts, summary
    assert case.reason in summary["reason"], summary["reason"]
    for key, value in case.extra.items():
        assert summary[key] == value
    assert [notice["text"] for notice in answer["notices"]] == summary["reason"].split("\n")


def test_rows_have_the_shape_the_cli_prints(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api", branch="main", tags=["t"])
    broker.verify("api", "web", "1", "10", branch="main")
    broker.record_deployment("api", "10", "prod")
    row = broker.can_i_deploy("web", "1", environment="prod")["matrix"][0]
    assert row["consumer"]["name"] == "web"
    assert row["consumer"]["version"]["number"] == "1"
    assert row["consumer"]["version"]["branch"] == "main"
    assert [t["name"] for t in row["consumer"]["version"]["tags"]] == ["t"]
    assert row["provider"]["version"]["number"] == "10"
    assert row["provider"]["version"]["environments"] == [{"name": "prod"}]
    assert row["verificationResult"]["success"] is True
    assert "/verification-results/" in row["verificationResult"]["_links"]["self"]["href"]
    assert row["pact"]["_links"]["self"]["href"].endswith("/pacts/provider/api/consumer/web/version/1")


def test_unknown_pacticipant_and_environment_are_400(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api")
    assert broker.get("/matrix?q[][pacticipant]=ghost&q[][version]=1").status_code == 400
    missing_env = broker.get("/matrix?q[][pacticipant]=web&q[][version]=1&environment=mars")
    assert missing_env.status_code == 400
    assert "mars" in str(missing_env.json()["errors"])


def test_can_i_deploy_resource_and_convenience_routes(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api", branch="main", tags=["dev"])
    broker.verify("api", "web", "1", "10", tags=["prod"])
    broker.record_deployment("api", "10", "prod")
    assert (
        broker.get("/can-i-deploy?pacticipant=web&version=1&environment=prod").json()["summary"]["deployable"] is True
    )
    assert broker.get("/can-i-deploy?pacticipant=web&version=1&to=prod").json()["summary"]["deployable"] is True
    assert broker.get("/can-i-deploy?pacticipant=web&version=1").status_code == 400
    tagged = broker.get("/pacticipants/web/latest-version/dev/can-i-deploy/to/prod").json()
    assert tagged["summary"]["deployable"] is True
    branched = broker.get("/pacticipants/web/branches/main/latest-version/can-i-deploy/to-environment/prod").json()
    assert branched["summary"]["deployable"] is True


def test_matrix_lists_every_row_between_two_pacticipants_with_a_limit(broker: BrokerClient) -> None:
    for number in range(1, 5):
        broker.publish("web", str(number), "api", interactions=[interaction(str(number))])
        broker.verify("api", "web", str(number), f"10{number}")
    rows = broker.get("/matrix/provider/api/consumer/web").json()["matrix"]
    assert len(rows) == 4
    limited = broker.matrix("q[][pacticipant]=web&q[][pacticipant]=api&limit=2")
    assert len(limited["matrix"]) == 2
    successes = broker.matrix("q[][pacticipant]=web&q[][pacticipant]=api&success[]=false")
    assert successes["matrix"] == []


def test_convenience_routes_say_404_for_an_unknown_pacticipant_or_environment(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api", branch="main")
    assert broker.get("/pacticipants/ghost/latest-version/dev/can-i-deploy/to/prod").status_code == 404
    assert (
        broker.get("/pacticipants/web/branches/main/latest-version/can-i-deploy/to-environment/mars").status_code == 404
    )
