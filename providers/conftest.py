"""Provider verification: every pact a provider has is replayed against the live provider.

Each module names its provider (`PROVIDER = "user"`). The provider runs under uvicorn on a
free port with its own fresh database (a SQLite file, or a PostgreSQL schema with
`--provider-database postgres`) and provider states enabled. Without `--broker-url` the
pacts come from the local pacts directory, one test per consumer; with it, from the broker
with consumer version selectors, pending and WIP pacts, and `--publish` publishes results.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from solo60.harness.broker_access import BrokerAccess
from solo60.harness.made.pact_files import PactFile, pact_files
from solo60.harness.suite_options import broker_access, checked_broker_access
from solo60.harness.verified.verification import BrokerSource, ResultsPublication, VerificationReport, verify
from solo60.harness.versions import Revision, resolve_revision
from solo60.services.kit.server import RunningService, running_services

BROKER = pytest.StashKey[BrokerAccess | None]()
REVISION = pytest.StashKey[Revision]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("solo60")
    group.addoption(
        "--provider-database",
        choices=["sqlite", "postgres"],
        default=os.environ.get("SOLO60_PROVIDER_DATABASE", "sqlite"),
        help="Database of the provider under verification (postgres needs PostgreSQL; see the root conftest).",
    )
    group.addoption("--provider-branch", default=None, help="Provider branch for pending/WIP pacts (default: git).")
    group.addoption("--include-wip-since", default=None, help="Verify work-in-progress pacts since this date.")


def pytest_configure(config: pytest.Config) -> None:
    """The broker (read once, so refused credentials stop the run before any provider starts) and the
    provider version and branch, resolved once for every module."""
    access = broker_access(config)
    if access is not None and not hasattr(config, "workerinput"):
        access = checked_broker_access(config)
    config.stash[BROKER] = access
    config.stash[REVISION] = resolve_revision(
        config.getoption("--provider-version"), config.getoption("--provider-branch")
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Local mode: one test per pact of the module's provider, named by the pair."""
    if "pact_file" not in metafunc.fixturenames:
        return
    config = metafunc.config
    provider = metafunc.module.PROVIDER
    if config.stash[BROKER] is not None:
        metafunc.parametrize("pact_file", [None], ids=[f"{provider} from the broker"])
        return
    found = pact_files(Path(config.getoption("--pacts-dir")), provider=provider)
    metafunc.parametrize("pact_file", found or [None], ids=[pact.pair for pact in found] or ["no pacts"])


@pytest.fixture(scope="module")
def provider(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningService]:
    """The module's provider, live, with provider states enabled and a database of its own."""
    name = request.module.PROVIDER
    environ = {
        **os.environ,
        "SOLO60_PROVIDER_STATES": "1",
        "SOLO60_DATA_DIR": str(tmp_path_factory.mktemp(f"{name}-data")),
        "SOLO60_RATE_LIMIT": "100000/minute",
    }
    if request.config.getoption("--provider-database") == "postgres":
        environ[f"{name.upper()}_DATABASE_URL"] = request.getfixturevalue("provider_postgres_url")
    with running_services([name], environ=environ) as services:
        yield services[name]


@pytest.fixture(scope="module")
def provider_postgres_url(postgres_server_url: str) -> Iterator[str]:
    """A fresh PostgreSQL schema for the module's provider (module-scoped twin of `postgres_url`)."""
    import uuid
    from urllib.parse import quote

    import sqlalchemy as sa

    schema = f"v_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(
        postgres_server_url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in postgres_server_url else "?"
    yield f"{postgres_server_url}{separator}options={quote(f'-csearch_path={schema}')}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def verify_pacts(request: pytest.FixtureRequest, provider: RunningService) -> VerifyPacts:
    return VerifyPacts(request.config, provider)


class VerifyPacts:
    """Runs the verifier for one pact file (local) or the provider's broker pacts, and asserts."""

    def __init__(self, config: pytest.Config, provider: RunningService) -> None:
        self.config = config
        self.provider = provider

    def __call__(self, pact_file: PactFile | None) -> VerificationReport:
        from solo60.harness.broker_access import BrokerError

        config = self.config
        access = config.stash[BROKER]
        revision = config.stash[REVISION]
        if pact_file is None and access is None:
            pytest.fail(
                f"no pacts for provider {self.provider.name!r} in {config.getoption('--pacts-dir')}: "
                "run `pytest consumers/` first, or give --broker-url"
            )
        publish = ResultsPublication(revision) if access is not None and config.getoption("--publish") else None
        broker = None
        if access is not None:
            broker = BrokerSource(
                access, include_wip_since=config.getoption("--include-wip-since"), provider_branch=revision.branch
            )
        try:
            report = verify(
                self.provider.name,
                self.provider.url,
                pacts=[pact_file.path] if pact_file is not None else [],
                broker=broker,
                publish=publish,
            )
        except BrokerError as error:
            pytest.fail(str(error), pytrace=False)
        for pending in report.pending_failures:
            config.pluginmanager.get_plugin("terminalreporter").write_line(f"pending (not failing): {pending.render()}")
        if not report.ok:
            pytest.fail(report.describe_failures(), pytrace=False)
        if pact_file is not None and len(report.interactions) != pact_file.interactions:
            # A local pact is replayed whole: an interaction left out would pass by omission.
            pytest.fail(
                f"{pact_file.pair}: {len(report.interactions)} of {pact_file.interactions} interactions were verified",
                pytrace=False,
            )
        return report
