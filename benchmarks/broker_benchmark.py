"""The broker's heavy endpoints at scale: can-i-deploy, pacts-for-verification and publish,
against its own /health, on SQLite and PostgreSQL, at full and at 1 % of the data.

Full scale is 20 pacticipants with 10,000 versions each (on a main branch and hundreds of short
feature branches, some tagged), each version publishing pacts to two providers (400,000
publications, the content changing every 20 versions, so stored once per SHA), 100,000
verification results, and live deployments and releases. The data is written straight into
the tables in bulk (through the broker's own migrations and table definitions), then the broker
runs as a separate process (`solo60 broker serve`) and one client times requests in interleaved
rounds: /health, can-i-deploy to an environment, pacts-for-verification (main branch, deployed
or released, pending and WIP), and a publish of a new consumer version.

The teams keep the same pace in both datasets (about 27 versions a day per pacticipant), so
1 % of the data is a broker a few days old and the full set one with a year of history; the
requests (and the WIP window of the last 36 hours) are the same, which is what isolates the cost
of history.

Both datasets of a backend are served at once (one broker process each) and every round sends
each request to both, interleaved, so the full-versus-1 % ratio is measured under the same load on
this shared machine rather than minutes apart.

The web UI's pages (`page ...` rows, asked for with a browser's Accept header) are timed in the
same rounds: the index (and its `?tags=true` view), the pacticipants and one pacticipant, a pact,
a verification result, the matrix (a selector query and an integration's matrix), an
integration's dashboard (by branch, by environment, and all versions), the coverage map
(`/coverage`; its JSON is the `coverage (API)` row, held to the pages' goal), can-i-deploy (the
form's answer and the branch URL), the network, the environments and one environment, the
webhooks and one webhook (the seed adds webhooks with a history of triggered runs and logs), and
a provider version's contract (one self-verified contract is published for an old provider
version after seeding, so can-i-deploy's answers stay those of verifications).

Goals: every heavy endpoint's p95 <= 4x /health's p95, and <= 1.2x its own p95 at 1 % of the
data; every page's p95 <= 10x /health's p95.

With `--provider-contracts`, every provider version live in production also publishes a
self-verified OpenAPI document (through the API, after seeding), so can-i-deploy's rows come
from contracts where no verification exists, comparing on the fly the pairs no publish stored.

    python benchmarks/broker_benchmark.py [--requests 300] [--backends sqlite,postgres]
                                          [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
                                          [--provider-contracts] [--only page,publish]
                                          [--keep DIR] [--baseline OTHER_CHECKOUT]
    python benchmarks/broker_benchmark.py --sqlite-synchronous FULL,NORMAL [--versions 100] [--requests 300]

`--sqlite-synchronous` measures instead what durability costs a publish: one SQLite broker per
setting, each on its own copy of one seeded database, all running at once, and the publish
timed against each in turn, round after round, so a busy machine slows every setting alike.
The broker itself always commits with FULL; the others are only there to be compared.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import httpx
import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

from broker.deployments.tables import deployed_versions, environments, released_versions
from broker.integrations.tables import integrations
from broker.pacticipants.tables import pacticipants
from broker.pacts.content import content_sha, with_interaction_ids
from broker.pacts.tables import latest_branch_pacts, latest_tag_pacts, pact_contents, pact_publications, pact_versions
from broker.storage.database import Database
from broker.verifications.tables import latest_verifications, verifications
from broker.versions.tables import branch_versions, branches, tags, versions
from broker.webhooks.tables import triggered_webhooks, webhook_executions, webhooks

ROOT = Path(__file__).resolve().parents[1]
PACTICIPANTS = 20
PROVIDERS_PER_CONSUMER = 2
CONTENT_EVERY = 20
FEATURE_EVERY = 5  # one version in five is on a short feature branch
FEATURE_BRANCH_LENGTH = 4
TAG_EVERY = 50
VERSIONS_PER_DAY = 10_000 / 365  # per pacticipant: a year of history at full scale, days at 1 %
WIP_WINDOW = timedelta(hours=36)
HEALTH_RATIO_GOAL = 4.0
PAGE_RATIO_GOAL = 10.0
PAGE_GOAL_ENDPOINTS = ("coverage (API)",)  # the JSON a page is built from: judged by the page goal
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
WEBHOOKS = 4
TRIGGERED_PER_WEBHOOK = 500
SCALE_RATIO_GOAL = 1.2
DEFAULT_POSTGRES = os.environ.get("SOLO60_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
console = Console(width=160)


@dataclass
class Dataset:
    versions_per_pacticipant: int
    verifications: int
    names: list[str] = field(default_factory=list)
    providers_of: dict[str, list[str]] = field(default_factory=dict)
    recent_versions: dict[str, list[str]] = field(default_factory=dict)
    # (provider, consumer, pact content SHA, verification number) of recent verifications
    verification_pages: list[tuple[str, str, str, int]] = field(default_factory=list)
    page_contract: tuple[str, str] = ("", "")  # the provider version whose contract page is timed


def _name(index: int) -> str:
    return f"service-{index:02d}"


def _pact(consumer: str, provider: str, revision: int) -> dict:
    return {
        "consumer": {"name": consumer},
        "provider": {"name": provider},
        "interactions": [
            {
                "type": "Synchronous/HTTP",
                "description": f"a request number {n} (revision {revision})",
                "providerStates": [{"name": f"state {n}"}],
                "request": {"method": "GET", "path": f"/things/{n}"},
                "response": {"status": 200, "body": {"content": {"id": n, "revision": revision}}},
            }
            for n in range(3)
        ],
        "metadata": {"pactSpecification": {"version": "4.0"}},
    }


def seed(database: Database, versions_per_pacticipant: int, verification_count: int) -> Dataset:
    """Write the dataset straight into the tables, keeping every derived table consistent."""
    rng = random.Random(7)
    dataset = Dataset(versions_per_pacticipant, verification_count)
    now = datetime.now(UTC).replace(tzinfo=None)
    history = timedelta(days=versions_per_pacticipant / VERSIONS_PER_DAY)
    start = now - history
    total_versions = PACTICIPANTS * versions_per_pacticipant
    step = history / total_versions
    names = [_name(i) for i in range(PACTICIPANTS)]
    dataset.names = names
    dataset.providers_of = {
        names[i]: [names[(i + k) % PACTICIPANTS] for k in range(1, PROVIDERS_PER_CONSUMER + 1)]
        for i in range(PACTICIPANTS)
    }
    pacticipant_id = {name: index + 1 for index, name in enumerate(names)}

    rows: dict[str, list[dict]] = {
        key: []
        for key in (
            "pacticipants",
            "versions",
            "branches",
            "branch_versions",
            "tags",
            "pact_contents",
            "pact_versions",
            "pact_publications",
            "integrations",
            "latest_branch_pacts",
            "latest_tag_pacts",
            "verifications",
            "latest_verifications",
            "environments",
            "deployed_versions",
            "released_versions",
        )
    }
    for name in names:
        rows["pacticipants"].append(
            {
                "id": pacticipant_id[name],
                "name": name,
                "display_name": name.title(),
                "main_branch": "main",
                "created_at": start,
            }
        )
    branch_ids: dict[tuple[str, str], int] = {}
    content_ids: dict[str, int] = {}
    sha_of_content: dict[int, str] = {}
    pact_version_ids: dict[tuple[int, int, int], int] = {}
    # version id -> (pacticipant, number, branch name, created_at)
    version_rows: list[tuple[int, str, str, str, datetime]] = []
    version_id = 0
    for sequence in range(versions_per_pacticipant):
        for name in names:
            version_id += 1
            created = start + step * (version_id - 1)
            feature = sequence % FEATURE_EVERY == FEATURE_EVERY - 1
            branch = f"feature/{sequence // (FEATURE_EVERY * FEATURE_BRANCH_LENGTH)}" if feature else "main"
            number = f"{sequence + 1}.0.{version_id}"
            version_rows.append((version_id, name, number, branch, created))
            rows["versions"].append(
                {"id": version_id, "pacticipant_id": pacticipant_id[name], "number": number, "created_at": created}
            )
            key = (name, branch)
            if key not in branch_ids:
                branch_ids[key] = len(branch_ids) + 1
                rows["branches"].append(
                    {
                        "id": branch_ids[key],
                        "pacticipant_id": pacticipant_id[name],
                        "name": branch,
                        "created_at": created,
                    }
                )
            rows["branch_versions"].append(
                {
                    "branch_id": branch_ids[key],
                    "version_id": version_id,
                    "pacticipant_id": pacticipant_id[name],
                    "created_at": created,
                }
            )
            if branch == "main" and sequence % TAG_EVERY == 0:
                rows["tags"].append(
                    {
                        "version_id": version_id,
                        "pacticipant_id": pacticipant_id[name],
                        "name": "prod",
                        "created_at": created,
                    }
                )
    dataset.recent_versions = {
        name: [
            number for _, n, number, branch, _ in version_rows[-PACTICIPANTS * 50 :] if n == name and branch == "main"
        ]
        for name in names
    }

    publication_id = 0
    heads_branch: dict[tuple[int, int], tuple[int, int, int, datetime]] = {}
    heads_tag: dict[tuple[int, int, str], tuple[int, int, datetime]] = {}
    tagged = {row["version_id"] for row in rows["tags"]}
    publications_by_pact_version: dict[int, list[int]] = {}
    for vid, name, _, branch, created in version_rows:
        sequence = (vid - 1) // PACTICIPANTS
        revision = sequence // CONTENT_EVERY
        for provider in dataset.providers_of[name]:
            document = _pact(name, provider, revision)
            sha = content_sha(document)
            if sha not in content_ids:
                content_ids[sha] = len(content_ids) + 1
                sha_of_content[content_ids[sha]] = sha
                rows["pact_contents"].append(
                    {
                        "id": content_ids[sha],
                        "sha": sha,
                        "content": json.dumps(with_interaction_ids(document)),
                        "created_at": created,
                    }
                )
            pv_key = (pacticipant_id[name], pacticipant_id[provider], content_ids[sha])
            if pv_key not in pact_version_ids:
                pact_version_ids[pv_key] = len(pact_version_ids) + 1
                rows["pact_versions"].append(
                    {
                        "id": pact_version_ids[pv_key],
                        "consumer_id": pv_key[0],
                        "provider_id": pv_key[1],
                        "content_id": pv_key[2],
                        "created_at": created,
                    }
                )
            publication_id += 1
            pvid = pact_version_ids[pv_key]
            publications_by_pact_version.setdefault(pvid, []).append(vid)
            rows["pact_publications"].append(
                {
                    "id": publication_id,
                    "consumer_id": pv_key[0],
                    "provider_id": pv_key[1],
                    "consumer_version_id": vid,
                    "pact_version_id": pvid,
                    "revision_number": 1,
                    "created_at": created,
                    "updated_at": created,
                }
            )
            heads_branch[(pv_key[1], branch_ids[(name, branch)])] = (pv_key[0], publication_id, vid, created)
            if vid in tagged:
                heads_tag[(pv_key[1], pv_key[0], "prod")] = (publication_id, vid, created)
    for (provider_id, branch_id), (consumer_id, pub_id, vid, created) in heads_branch.items():
        rows["latest_branch_pacts"].append(
            {
                "provider_id": provider_id,
                "branch_id": branch_id,
                "consumer_id": consumer_id,
                "pact_publication_id": pub_id,
                "consumer_version_id": vid,
                "created_at": created,
            }
        )
    for (provider_id, consumer_id, tag), (pub_id, vid, created) in heads_tag.items():
        rows["latest_tag_pacts"].append(
            {
                "provider_id": provider_id,
                "consumer_id": consumer_id,
                "tag_name": tag,
                "pact_publication_id": pub_id,
                "consumer_version_id": vid,
                "created_at": created,
            }
        )
    for name in names:
        for provider in dataset.providers_of[name]:
            rows["integrations"].append(
                {
                    "consumer_id": pacticipant_id[name],
                    "provider_id": pacticipant_id[provider],
                    "created_at": start,
                    "contract_data_updated_at": now,
                }
            )

    # verifications: provider main-branch versions verify pact versions published around their time
    main_versions_of = {
        name: [vid for vid, n, _, branch, _ in version_rows if n == name and branch == "main"] for name in names
    }
    pact_version_list = list(pact_version_ids.items())
    seen: set[tuple[int, int]] = set()
    verification_id = 0
    draws = 0
    while verification_id < verification_count:
        draws += 1
        if draws > 50 * verification_count:  # the dataset has too few distinct pairs to draw from
            raise ValueError(
                f"{verification_count:,} verification results do not fit {versions_per_pacticipant:,} versions "
                "per pacticipant: ask for fewer with --verifications"
            )
        (consumer_id, provider_id, _), pvid = pact_version_list[rng.randrange(len(pact_version_list))]
        provider = names[provider_id - 1]
        first_published_by = publications_by_pact_version[pvid][0]
        candidates = main_versions_of[provider]
        around = len(candidates) * first_published_by // len(version_rows) + rng.randrange(0, 30)
        provider_version = candidates[min(len(candidates) - 1, around)]
        if (pvid, provider_version) in seen:
            continue
        seen.add((pvid, provider_version))
        verification_id += 1
        success = rng.random() < 0.9
        created = version_rows[provider_version - 1][4]
        rows["verifications"].append(
            {
                "id": verification_id,
                "pact_version_id": pvid,
                "consumer_id": consumer_id,
                "provider_id": provider_id,
                "provider_version_id": provider_version,
                "success": success,
                "wip": False,
                "created_at": created,
                "verified_by": {"implementation": "Pact-Rust", "version": "1.4.7"},
            }
        )
        rows["latest_verifications"].append(
            {
                "pact_version_id": pvid,
                "provider_version_id": provider_version,
                "verification_id": verification_id,
                "success": success,
            }
        )

    content_of_pact_version = {pvid: key[2] for key, pvid in pact_version_ids.items()}
    dataset.verification_pages = [
        (
            names[row["provider_id"] - 1],
            names[row["consumer_id"] - 1],
            sha_of_content[content_of_pact_version[row["pact_version_id"]]],
            row["id"],
        )
        for row in rows["verifications"][-50:]
    ]

    for index, env in enumerate(("production", "test")):
        rows["environments"].append(
            {
                "id": index + 1,
                "uuid": str(uuid.uuid4()),
                "name": env,
                "display_name": env.title(),
                "production": env == "production",
                "contacts": [],
                "created_at": start,
            }
        )
    for name in names:
        mains = main_versions_of[name]
        for env_id, version in ((1, mains[-min(10, len(mains))]), (2, mains[-1])):
            rows["deployed_versions"].append(
                {
                    "uuid": str(uuid.uuid4()),
                    "version_id": version,
                    "pacticipant_id": pacticipant_id[name],
                    "environment_id": env_id,
                    "created_at": now,
                }
            )
        rows["released_versions"].append(
            {
                "uuid": str(uuid.uuid4()),
                "version_id": mains[-min(20, len(mains))],
                "pacticipant_id": pacticipant_id[name],
                "environment_id": 1,
                "created_at": now,
                "updated_at": now,
            }
        )

    rows["webhooks"], rows["triggered_webhooks"], rows["webhook_executions"] = _webhook_rows(
        names, dataset.providers_of, pacticipant_id, now
    )
    tables = {
        "pacticipants": pacticipants,
        "versions": versions,
        "branches": branches,
        "branch_versions": branch_versions,
        "tags": tags,
        "pact_contents": pact_contents,
        "pact_versions": pact_versions,
        "pact_publications": pact_publications,
        "integrations": integrations,
        "latest_branch_pacts": latest_branch_pacts,
        "latest_tag_pacts": latest_tag_pacts,
        "verifications": verifications,
        "latest_verifications": latest_verifications,
        "environments": environments,
        "deployed_versions": deployed_versions,
        "released_versions": released_versions,
        "webhooks": webhooks,
        "triggered_webhooks": triggered_webhooks,
        "webhook_executions": webhook_executions,
    }
    with database.engine.begin() as connection:
        for name, table in tables.items():
            batch = rows[name]
            for offset in range(0, len(batch), 20_000):
                connection.execute(table.insert(), batch[offset : offset + 20_000])
        if database.engine.dialect.name == "postgresql":
            for name, table in tables.items():
                if "id" in table.c:
                    highest = f"(SELECT COALESCE(MAX(id), 1) FROM {name})"
                    connection.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), {highest})"))
        else:
            connection.exec_driver_sql("ANALYZE")
    if database.engine.dialect.name == "postgresql":  # as autovacuum would, before the first request
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE"))
    return dataset


def _webhook_rows(
    names: list[str], providers_of: dict[str, list[str]], pacticipant_id: dict[str, int], now: datetime
) -> tuple[list[dict], list[dict], list[dict]]:
    """A few webhooks, each with a long history of runs (one execution and log per run). They fire
    on verification results, which the benchmark never publishes, so every publish looks for the
    webhooks to trigger (as in a broker with webhooks) but none calls out while it is timed."""
    hooks: list[dict] = []
    triggered: list[dict] = []
    executions: list[dict] = []
    for index in range(WEBHOOKS):
        provider = names[index * 3]
        hooks.append(
            {
                "id": index + 1,
                "uuid": f"benchmark-webhook-{index:04d}",
                "description": f"Notify CI of pacts for {provider}",
                "enabled": True,
                "provider_id": pacticipant_id[provider],
                "events": ["provider_verification_published"],
                "request": {"method": "POST", "url": "https://ci.example.com/hook", "headers": {"Authorization": "x"}},
                "created_at": now,
            }
        )
        consumers = [name for name in names if provider in providers_of[name]]
        for run in range(TRIGGERED_PER_WEBHOOK):
            run_id = len(triggered) + 1
            consumer = consumers[run % len(consumers)]
            at = now - timedelta(minutes=TRIGGERED_PER_WEBHOOK - run)
            success = run % 7 != 0
            triggered.append(
                {
                    "id": run_id,
                    "uuid": str(uuid.uuid4()),
                    "webhook_id": index + 1,
                    "event_name": "provider_verification_published",
                    "status": "success" if success else "failure",
                    "attempts": 1,
                    "context": {"consumerName": consumer, "providerName": provider},
                    "consumer_id": pacticipant_id[consumer],
                    "provider_id": pacticipant_id[provider],
                    "created_at": at,
                    "updated_at": at,
                }
            )
            executions.append(
                {
                    "triggered_webhook_id": run_id,
                    "success": success,
                    "logs": f"[{at.isoformat()}] INFO: POST https://ci.example.com/hook\n"
                    f"[{at.isoformat()}] INFO: HTTP/1.1 {200 if success else 500}",
                    "created_at": at,
                }
            )
    return hooks, triggered, executions


_WITH_SYNCHRONOUS = (
    "import runpy, sys; import broker.storage.database as database; "
    "database.SQLITE_SYNCHRONOUS = sys.argv.pop(1); sys.argv[0] = 'solo60'; "
    "runpy.run_module('solo60', run_name='__main__', alter_sys=True)"
)


@contextmanager
def broker_process(database_url: str, synchronous: str | None = None, root: Path = ROOT) -> Iterator[str]:
    """`solo60 broker serve` on a free port; with `synchronous`, its SQLite commits with that setting.
    `root`: the checkout whose broker runs (`python -m` imports from the working directory first)."""
    launcher = ["-m", "solo60"] if synchronous is None else ["-c", _WITH_SYNCHRONOUS, synchronous]
    process = subprocess.Popen(
        [sys.executable, *launcher, "broker", "serve", "--port", "0", "--database-url", database_url],
        cwd=root,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PACT_BROKER_DATABASE_URL": ""},
    )
    assert process.stderr is not None
    line = process.stderr.readline()
    if "Pact Broker on " not in line:
        process.kill()
        raise RuntimeError(f"the broker did not start: {line}")
    url = line.split("Pact Broker on ", 1)[1].split(" ", 1)[0]
    threading.Thread(target=lambda: process.stderr.read(), daemon=True).start()  # type: ignore[union-attr]
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def _encoded(document: dict) -> str:
    return base64.b64encode(json.dumps(document).encode()).decode()


def _provider_document(provider: str) -> dict:
    """What every seeded pact asks of a provider, as an OpenAPI document (`revision` optional)."""
    return {
        "openapi": "3.1.0",
        "info": {"title": provider, "version": "1"},
        "paths": {
            "/things/{n}": {
                "get": {
                    "parameters": [{"name": "n", "in": "path", "required": True, "schema": {"type": "integer"}}],
                    "responses": {
                        "200": {
                            "description": "a thing",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {"id": {"type": "integer"}, "revision": {"type": "integer"}},
                                    }
                                }
                            },
                        }
                    },
                }
            }
        },
    }


def _publish_provider_contract(client: httpx.Client, name: str, number: str) -> None:
    response = client.post(
        f"/provider-contracts/provider/{quote(name, safe='')}/publish",
        json={
            "pacticipantVersionNumber": number,
            "contract": {
                "content": _encoded(_provider_document(name)),
                "contentType": "application/json",
                "specification": "oas",
                "selfVerificationResults": {"success": True, "verifier": "benchmark"},
            },
        },
    )
    if response.status_code != 200:
        raise RuntimeError(f"publishing a provider contract answered {response.status_code}: {response.text}")


def publish_page_contract(url: str, dataset: Dataset) -> tuple[str, str]:
    """One self-verified contract for the provider-contract page, on a provider version deployed
    nowhere (so no can-i-deploy answer changes). Returns (provider, version number)."""
    provider = dataset.names[1]
    number = dataset.recent_versions[provider][0]
    with httpx.Client(base_url=url, timeout=120) as client:
        _publish_provider_contract(client, provider, number)
    return provider, number


def publish_provider_contracts(url: str, dataset: Dataset) -> int:
    """A self-verified contract for every provider version live in production, published through
    the API (each publish compares it with the pacts that matter). Returns how many."""
    published = 0
    with httpx.Client(base_url=url, timeout=120) as client:
        found = client.get("/environments", params={"name": "production"}).json()["_embedded"]["environments"]
        production = found[0]["uuid"]
        live = [
            item
            for kind in ("deployed-versions/currently-deployed", "released-versions/currently-supported")
            for item in client.get(f"/environments/{production}/{kind}").json()["_embedded"][
                "deployedVersions" if kind.startswith("deployed") else "releasedVersions"
            ]
        ]
        for item in live:
            name, number = item["_embedded"]["pacticipant"]["name"], item["_embedded"]["version"]["number"]
            _publish_provider_contract(client, name, number)
            published += 1
        name = dataset.names[0]
        answer = client.get(
            f"/matrix?q[][pacticipant]={quote(name)}&q[][version]={quote(dataset.recent_versions[name][0])}"
            "&latestby=cvpv&environment=production"
        ).json()
        if not any("compatible" in (row.get("verificationResult") or {}) for row in answer["matrix"]):
            raise RuntimeError("can-i-deploy shows no row judged by a provider contract")
    return published


def measure(
    targets: dict[str, tuple[str, Dataset]], requests: int, warm_up: int, only: list[str] | None = None
) -> dict[str, dict[str, list[float]]]:
    """Timings per scale and endpoint; each round sends every request to every scale in turn.
    With `only`, just the endpoints whose names contain one of its words (and /health)."""
    timings = {scale: _measure_rounds(url, dataset) for scale, (url, dataset) in targets.items()}
    names = [
        name
        for name in next(iter(timings.values()))
        if name == "/health" or not only or any(word in name for word in only)
    ]
    clients = {scale: httpx.Client(base_url=url, timeout=60) for scale, (url, _) in targets.items()}
    results: dict[str, dict[str, list[float]]] = {scale: {name: [] for name in names} for scale in targets}
    try:
        for round_number in range(warm_up + requests):
            for name in names:
                for scale, operations in timings.items():
                    started = time.perf_counter()
                    try:
                        response = operations[name](clients[scale])
                    except (httpx.RemoteProtocolError, httpx.ReadError):
                        # the broker closed a keep-alive connection that sat idle past its timeout
                        # (a busy machine can stretch a round that long): time the request again
                        started = time.perf_counter()
                        response = operations[name](clients[scale])
                    elapsed = time.perf_counter() - started
                    if response.status_code >= 300:
                        raise RuntimeError(f"{name} ({scale}) answered {response.status_code}: {response.text[:300]}")
                    if round_number >= warm_up:
                        results[scale][name].append(elapsed * 1000)
    finally:
        for client in clients.values():
            client.close()
    return results


def _measure_rounds(url: str, dataset: Dataset) -> dict[str, Callable[[httpx.Client], httpx.Response]]:
    """The requests (heavy endpoints, then pages), with their own random choices for one dataset."""
    rng = random.Random(11)
    since = (datetime.now(UTC) - WIP_WINDOW).isoformat()
    counter = iter(range(10**9))

    def health(client: httpx.Client) -> httpx.Response:
        return client.get("/health")

    def can_i_deploy(client: httpx.Client) -> httpx.Response:
        name = rng.choice(dataset.names)
        version = rng.choice(dataset.recent_versions[name])
        return client.get(
            f"/matrix?q[][pacticipant]={quote(name)}&q[][version]={quote(version)}&latestby=cvpv&environment=production"
        )

    def pacts_for_verification(client: httpx.Client) -> httpx.Response:
        provider = rng.choice(dataset.names)
        return client.post(
            f"/pacts/provider/{quote(provider)}/for-verification",
            json={
                "consumerVersionSelectors": [{"mainBranch": True}, {"deployedOrReleased": True}],
                "includePendingStatus": True,
                "includeWipPactsSince": since,
                "providerVersionBranch": "main",
            },
        )

    def publish(client: httpx.Client) -> httpx.Response:
        consumer = rng.choice(dataset.names)
        number = f"bench.{next(counter)}.{uuid.uuid4().hex[:6]}"
        revision = rng.randrange(1_000_000)
        return client.post(
            "/contracts/publish",
            json={
                "pacticipantName": consumer,
                "pacticipantVersionNumber": number,
                "branch": "main",
                "contracts": [
                    {
                        "consumerName": consumer,
                        "providerName": provider,
                        "specification": "pact",
                        "contentType": "application/json",
                        "content": _encoded(_pact(consumer, provider, revision)),
                    }
                    for provider in dataset.providers_of[consumer]
                ],
            },
        )

    with httpx.Client(base_url=url, timeout=60) as client:
        environment_uuids = [e["uuid"] for e in client.get("/environments").json()["_embedded"]["environments"]]
    contract_provider, contract_version = dataset.page_contract

    def page(path_of: Callable[[], str]) -> Callable[[httpx.Client], httpx.Response]:
        def get(client: httpx.Client) -> httpx.Response:
            response = client.get(path_of(), headers={"Accept": BROWSER_ACCEPT})
            if response.status_code < 300 and not response.headers.get("content-type", "").startswith("text/html"):
                kind = response.headers.get("content-type")
                raise RuntimeError(f"{response.request.url} answered {kind}, not a page")
            return response

        return get

    def integration() -> tuple[str, str]:
        consumer = rng.choice(dataset.names)
        return quote(consumer), quote(rng.choice(dataset.providers_of[consumer]))

    def pact_page() -> str:
        consumer, provider = integration()
        return f"/pacts/provider/{provider}/consumer/{consumer}/latest"

    def verification_page() -> str:
        provider, consumer, sha, number = rng.choice(dataset.verification_pages)
        pact = f"/pacts/provider/{quote(provider)}/consumer/{quote(consumer)}/pact-version/{sha}"
        return f"{pact}/verification-results/{number}"

    def matrix_page() -> str:
        name = rng.choice(dataset.names)
        version = rng.choice(dataset.recent_versions[name])
        query = f"q[][pacticipant]={quote(name)}&q[][version]={quote(version)}&latestby=cvpv&environment=production"
        return f"/matrix?{query}"

    def integration_matrix_page() -> str:
        consumer, provider = integration()
        return f"/matrix/provider/{provider}/consumer/{consumer}"

    def dashboard_page(view: str) -> Callable[[], str]:
        def path() -> str:
            consumer, provider = integration()
            return f"/dashboard/provider/{provider}/consumer/{consumer}?view={view}"

        return path

    def can_i_deploy_page() -> str:
        name = rng.choice(dataset.names)
        version = rng.choice(dataset.recent_versions[name])
        return f"/can-i-deploy?pacticipant={quote(name)}&version={quote(version)}&environment=production"

    def can_i_deploy_branch_page() -> str:
        name = quote(rng.choice(dataset.names))
        return f"/pacticipants/{name}/branches/main/latest-version/can-i-deploy/to-environment/production"

    return {
        "/health": health,
        "can-i-deploy": can_i_deploy,
        "pacts-for-verification": pacts_for_verification,
        "publish": publish,
        "coverage (API)": lambda client: client.get("/coverage"),
        "page /": page(lambda: "/"),
        "page /?tags=true": page(lambda: "/?tags=true"),
        "page pacticipants": page(lambda: "/pacticipants"),
        "page pacticipant": page(lambda: f"/pacticipants/{quote(rng.choice(dataset.names))}"),
        "page pact": page(pact_page),
        "page verification": page(verification_page),
        "page matrix": page(matrix_page),
        "page matrix of integration": page(integration_matrix_page),
        "page can-i-deploy": page(can_i_deploy_page),
        "page can-i-deploy branch": page(can_i_deploy_branch_page),
        "page provider contract": page(
            lambda: (
                f"/contracts/bi-directional/provider/{quote(contract_provider)}/version/"
                f"{quote(contract_version)}/provider-contract"
            )
        ),
        "page dashboard by branch": page(dashboard_page("branch")),
        "page dashboard by environment": page(dashboard_page("environment")),
        "page dashboard all": page(dashboard_page("all")),
        "page coverage": page(lambda: "/coverage"),
        "page network": page(lambda: "/integrations"),
        "page environments": page(lambda: "/environments"),
        "page environment": page(lambda: f"/environments/{rng.choice(environment_uuids)}"),
        "page webhooks": page(lambda: "/webhooks"),
        "page webhook": page(lambda: f"/webhooks/benchmark-webhook-{rng.randrange(WEBHOOKS):04d}"),
    }


def compare_synchronous(modes: list[str], requests: int, warm_up: int, versions: int, verification_count: int) -> None:
    """Publish latency with each SQLite `synchronous` setting, measured side by side (see the doc)."""
    with tempfile.TemporaryDirectory(prefix="broker-bench-") as scratch, ExitStack() as running:
        seeded = Path(scratch) / "seeded.sqlite"
        database = Database(f"sqlite:///{seeded}")
        database.migrate()
        dataset = seed(database, versions, verification_count)
        database.dispose()
        urls: dict[str, str] = {}
        for mode in modes:
            copy = Path(scratch) / f"{mode.lower()}.sqlite"
            shutil.copyfile(seeded, copy)
            urls[mode] = running.enter_context(broker_process(f"sqlite:///{copy}", mode))
        console.print(f"seeded {PACTICIPANTS * versions:,} versions; brokers: {', '.join(modes)}")
        rng = random.Random(7)
        timings: dict[str, dict[str, list[float]]] = {mode: {"/health": [], "publish": []} for mode in modes}
        clients = {mode: running.enter_context(httpx.Client(base_url=url, timeout=60)) for mode, url in urls.items()}
        for round_number in range(warm_up + requests):
            order = list(modes)
            rng.shuffle(order)
            for mode in order:
                for name, call in (
                    ("/health", lambda client: client.get("/health")),
                    ("publish", lambda client: _publish_request(client, dataset, rng)),
                ):
                    started = time.perf_counter()
                    response = call(clients[mode])
                    elapsed = (time.perf_counter() - started) * 1000
                    if response.status_code >= 300:
                        raise RuntimeError(f"{name} on {mode} answered {response.status_code}: {response.text[:300]}")
                    if round_number >= warm_up:
                        timings[mode][name].append(elapsed)
    table = Table(title="What durability costs a publish: SQLite PRAGMA synchronous, brokers side by side (ms)")
    for column in ("synchronous", "endpoint", "p50", "p95", "p50 - FULL's p50"):
        table.add_column(column, justify="left" if column in ("synchronous", "endpoint") else "right")
    reference = statistics.median(timings[modes[0]]["publish"])
    for mode in modes:
        for name, values in timings[mode].items():
            difference = f"{statistics.median(values) - reference:+.2f}" if name == "publish" else ""
            table.add_row(mode, name, f"{statistics.median(values):.2f}", f"{percentile(values, 0.95):.2f}", difference)
    console.print(table)


def _publish_request(client: httpx.Client, dataset: Dataset, rng: random.Random) -> httpx.Response:
    consumer = rng.choice(dataset.names)
    return client.post(
        "/contracts/publish",
        json={
            "pacticipantName": consumer,
            "pacticipantVersionNumber": f"bench.{uuid.uuid4().hex}",
            "branch": "main",
            "contracts": [
                {
                    "consumerName": consumer,
                    "providerName": provider,
                    "specification": "pact",
                    "contentType": "application/json",
                    "content": _encoded(_pact(consumer, provider, rng.randrange(1_000_000))),
                }
                for provider in dataset.providers_of[consumer]
            ],
        },
    )


def _empty(database_url: str) -> None:
    """Drops every table of a kept database whose seeding never finished (it is seeded again)."""
    engine = sa.create_engine(database_url)
    try:
        metadata = sa.MetaData()
        metadata.reflect(engine)
        metadata.drop_all(engine)
        with engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    finally:
        engine.dispose()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


@contextmanager
def database_for(backend: str, postgres_url: str, scratch: Path, label: str, keep: bool = False) -> Iterator[str]:
    """A fresh database for one dataset; with `keep`, a fixed one (a file in `scratch`, a schema
    named after the label) that outlives the run, so a later run can reuse its seeded data."""
    if backend == "sqlite":
        yield f"sqlite:///{scratch / f'{label}.sqlite'}"
        return
    schema = f"bench_{label}" if keep else f"bench_{label}_{uuid.uuid4().hex[:6]}"
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    separator = "&" if "?" in postgres_url else "?"
    try:
        yield f"{postgres_url}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        if not keep:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _dataset_file(keep: Path, backend: str, label: str) -> Path:
    return keep / f"{backend}_{label}.json"


def _saved_dataset(path: Path) -> Dataset | None:
    """The dataset a kept database was seeded with (None when it was never seeded completely)."""
    if not path.exists():
        return None
    saved = json.loads(path.read_text())
    saved["verification_pages"] = [tuple(page) for page in saved["verification_pages"]]
    saved["page_contract"] = tuple(saved["page_contract"])
    return Dataset(**saved)


def run(
    backends: list[str],
    requests: int,
    warm_up: int,
    postgres_url: str,
    full_versions: int,
    full_verifications: int,
    provider_contracts: bool = False,
    only: list[str] | None = None,
    keep: Path | None = None,
    baseline: Path | None = None,
) -> bool:
    """With `baseline` (another checkout of this repository), each dataset is also served by that
    checkout's broker, timed in the same rounds, reported as the data label plus " base"."""
    scales = {
        "full": (full_versions, full_verifications),
        "1%": (max(1, full_versions // 100), max(1, full_verifications // 100)),
    }
    results: dict[tuple[str, str], dict[str, list[float]]] = {}
    with ExitStack() as outer:
        scratch = (
            keep if keep is not None else Path(outer.enter_context(tempfile.TemporaryDirectory(prefix="broker-bench-")))
        )
        for backend in backends:
            if backend == "postgres":
                try:
                    sa.create_engine(postgres_url).connect().close()
                except Exception as error:  # report, and go on with the other backend
                    console.print(f"[yellow]skipping PostgreSQL ({postgres_url}): {error}[/yellow]")
                    continue
            with ExitStack() as stack:
                targets: dict[str, tuple[str, Dataset]] = {}
                for scale, (per_pacticipant, verification_count) in scales.items():
                    label = "full" if scale == "full" else "small"
                    if keep is not None:
                        label = f"{label}_{per_pacticipant}_{verification_count}"
                    database_url = stack.enter_context(
                        database_for(backend, postgres_url, scratch, label, keep is not None)
                    )
                    saved = _dataset_file(scratch, backend, label)
                    reused = _saved_dataset(saved) if keep is not None else None
                    if reused is None and keep is not None:
                        _empty(database_url)  # a kept database whose seeding never finished
                    database = Database(database_url)
                    database.migrate()  # also brings a reused database up to the current migrations
                    if reused is None:
                        started = time.perf_counter()
                        dataset = seed(database, per_pacticipant, verification_count)
                        console.print(
                            f"{backend} {scale}: seeded {PACTICIPANTS * per_pacticipant:,} versions, "
                            f"{PACTICIPANTS * per_pacticipant * PROVIDERS_PER_CONSUMER:,} publications, "
                            f"{verification_count:,} verifications in {time.perf_counter() - started:.1f} s"
                        )
                    else:
                        dataset = reused
                        console.print(f"{backend} {scale}: reusing the database seeded for {saved.name}")
                    database.dispose()
                    url = stack.enter_context(broker_process(database_url))
                    if reused is None:
                        dataset.page_contract = publish_page_contract(url, dataset)
                        if keep is not None:
                            saved.write_text(json.dumps(asdict(dataset)))
                    if provider_contracts:
                        started = time.perf_counter()
                        count = publish_provider_contracts(url, dataset)
                        console.print(
                            f"{backend} {scale}: published {count} provider contracts "
                            f"in {time.perf_counter() - started:.1f} s"
                        )
                    targets[scale] = (url, dataset)
                    if baseline is not None:
                        targets[f"{scale} base"] = (
                            stack.enter_context(broker_process(database_url, root=baseline)),
                            dataset,
                        )
                for scale, timings in measure(targets, requests, warm_up, only).items():
                    results[(backend, scale)] = timings
    return report(results)


def report(results: dict[tuple[str, str], dict[str, list[float]]]) -> bool:
    table = Table(title="Broker latency (ms), one client, interleaved rounds")
    for column in ("backend", "data", "endpoint", "p50", "p95", "p95 / health p95", "p95 / own p95 at 1%"):
        table.add_column(column, justify="right" if column not in ("backend", "data", "endpoint") else "left")
    ok = True
    for (backend, scale), timings in results.items():
        health_p95 = percentile(timings["/health"], 0.95)
        for endpoint, values in timings.items():
            p95 = percentile(values, 0.95)
            is_page = endpoint.startswith("page ") or endpoint in PAGE_GOAL_ENDPOINTS
            health_ratio = p95 / health_p95 if endpoint != "/health" else None
            small = results.get((backend, scale.replace("full", "1%")), {}).get(endpoint)
            is_full = scale.startswith("full")
            scale_ratio = p95 / percentile(small, 0.95) if small and is_full and endpoint != "/health" else None
            health_goal = PAGE_RATIO_GOAL if is_page else HEALTH_RATIO_GOAL
            meets = (health_ratio is None or health_ratio <= health_goal) and (
                is_page or scale_ratio is None or scale_ratio <= SCALE_RATIO_GOAL
            )
            is_baseline = scale.endswith(" base")  # the goals are this checkout's
            ok = ok and (meets or is_baseline)
            colour = "" if meets or is_baseline else "[red]"
            table.add_row(
                backend,
                scale,
                endpoint,
                f"{statistics.median(values):.2f}",
                f"{colour}{p95:.2f}",
                f"{colour}{health_ratio:.1f}x" if health_ratio is not None else "",
                f"{colour}{scale_ratio:.2f}x" if scale_ratio is not None else "",
            )
    console.print(table)
    console.print(
        f"Goals: p95 <= {HEALTH_RATIO_GOAL:g}x /health p95 ({PAGE_RATIO_GOAL:g}x for pages); "
        f"p95 at full data <= {SCALE_RATIO_GOAL:g}x p95 at 1 % (heavy endpoints): "
        + ("[green]met[/green]" if ok else "[red]not met[/red]")
    )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300, help="timed requests per endpoint and run")
    parser.add_argument("--warm-up", type=int, default=30, help="untimed rounds first")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    parser.add_argument("--versions", type=int, default=10_000, help="versions per pacticipant at full scale")
    parser.add_argument(
        "--verifications",
        type=int,
        default=None,
        help="verification results at full scale (default: 10 per version of a pacticipant, 100,000 at 10,000)",
    )
    parser.add_argument(
        "--provider-contracts",
        action="store_true",
        help="every provider version in production also publishes a self-verified contract (bi-directional)",
    )
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated words: time only the endpoints whose names contain one (e.g. page,publish)",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        default=None,
        help="directory that keeps the seeded databases (SQLite files there, PostgreSQL schemas bench_<label>) "
        "and reuses them in later runs with the same sizes; each run's publishes add a few hundred versions",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        default=None,
        help="another checkout (e.g. a git worktree of main): its broker serves the same data too, timed in "
        "the same rounds, for a before/after in one run",
    )
    parser.add_argument(
        "--sqlite-synchronous",
        default="",
        help="e.g. FULL,NORMAL: compare publish latency under these SQLite settings (the first is the reference)",
    )
    arguments = parser.parse_args()
    if arguments.verifications is None:
        arguments.verifications = 10 * arguments.versions
    modes = [item.strip().upper() for item in arguments.sqlite_synchronous.split(",") if item.strip()]
    if modes:
        if any(mode not in ("OFF", "NORMAL", "FULL", "EXTRA") for mode in modes) or arguments.requests < 1:
            parser.error("--sqlite-synchronous takes OFF, NORMAL, FULL and EXTRA, comma-separated; --requests >= 1")
        compare_synchronous(modes, arguments.requests, arguments.warm_up, arguments.versions, arguments.verifications)
        return
    backends = [item.strip() for item in arguments.backends.split(",") if item.strip()]
    unknown = [item for item in backends if item not in ("sqlite", "postgres")]
    if unknown or arguments.requests < 1 or arguments.versions < 100:
        parser.error("backends are sqlite and/or postgres; --requests >= 1; --versions >= 100")
    ok = run(
        backends,
        arguments.requests,
        arguments.warm_up,
        arguments.postgres_url,
        arguments.versions,
        arguments.verifications,
        arguments.provider_contracts,
        [word.strip() for word in arguments.only.split(",") if word.strip()] or None,
        arguments.keep,
        arguments.baseline,
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
