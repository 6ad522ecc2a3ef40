"""Runs the consumer suites (`pytest consumers/`) for the pipeline, in its own process when it can.

A child `python -m pytest` paid, on every pipeline run, for an interpreter, pytest and its
plugins, and for importing again what the pipeline process already holds or imports next
anyway (the services, FastAPI, SQLAlchemy, httpx): more than a second of the consumer stage,
more still with bytecode writing off (PYTHONDONTWRITEBYTECODE), where every module is compiled
again in each process. Run in-process, the suites share those imports with the stages after
them. pytest's per-test timeout (pyproject's `timeout`) works by signal, which only the main
thread may set: called from another thread, the suites still run in a child process.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

UNUSED_PLUGINS = (
    "-p",
    "no:schemathesis",
    "-p",
    "no:hypothesispytest",
    "-p",
    "no:anyio",
    "-p",
    "no:unraisableexception",
)
"""Installed pytest plugins the consumer suites never use. pytest rewrites the asserts of every
plugin it loads, and with bytecode writing off it does so on every run: the first three cost
about 250 modules. The unraisable-exception plugin's only work here is two full garbage
collections at the end of the run (a quarter of a second over the pipeline's heap); what it
reports is a warning, which nobody reads in a pipeline run's captured output."""


IMPORTED_BEFORE_PYTEST = (
    "anyio",
    "anyio.abc",
    "anyio.lowlevel",
    "anyio.to_thread",
    "anyio.streams.memory",
    "anyio.streams.stapled",
    "anyio.streams.tls",
    "anyio._backends._asyncio",
    "pact",
    "pact.pact",
    "pact.interaction",
    "pact.match",
    "pact.generate",
    "pact.logging",
    "pact.testing.pytest",
)
"""Modules the suites import while they run, from distributions that are pytest plugins. pytest
rewrites the asserts of every module of such a distribution it sees imported, from source,
and with bytecode writing off on every run (46 modules, a tenth of the stage's CPU time);
imported before pytest starts, they load from their installed bytecode like any library."""


@dataclass(frozen=True)
class SuiteRun:
    """How a run of the consumer suites ended, and what pytest printed."""

    ok: bool
    output: str


def run_consumer_suites(repository: Path, pacts_dir: Path, *, scratch: str | None = None) -> SuiteRun:
    """`pytest consumers/ --pacts-dir <pacts_dir>` from `repository`: in this process on its main thread.

    The tests' temporary folders (their SQLite files) go under `scratch` (`tempfile`'s `dir=`;
    None for the system's), and are removed when the run ends.
    """
    with tempfile.TemporaryDirectory(prefix="solo60-consumers-", dir=scratch) as temporary:
        arguments = [
            str(repository / "consumers"),
            "-q",
            "-p",
            "no:randomly",
            *UNUSED_PLUGINS,
            "--basetemp",
            str(Path(temporary) / "tests"),
            "--pacts-dir",
            str(pacts_dir),
        ]
        if threading.current_thread() is not threading.main_thread():
            return _in_child_process(repository, arguments)
        return _in_this_process(repository, arguments)


def _in_this_process(repository: Path, arguments: list[str]) -> SuiteRun:
    import pytest

    for name in IMPORTED_BEFORE_PYTEST:
        with contextlib.suppress(ImportError):  # a module a later version moved is rewritten, no more
            importlib.import_module(name)
    output = io.StringIO()
    with (
        _kept_environment(),
        _forgotten_afterwards(repository),
        contextlib.chdir(repository),
        contextlib.redirect_stdout(output),
    ):
        os.environ["PACT_DO_NOT_TRACK"] = "true"
        code = pytest.main(arguments)
    return SuiteRun(code == pytest.ExitCode.OK, output.getvalue())


def _in_child_process(repository: Path, arguments: list[str]) -> SuiteRun:
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", *arguments],
        cwd=repository,
        capture_output=True,
        text=True,
        env={**os.environ, "PACT_DO_NOT_TRACK": "true"},
    )
    return SuiteRun(completed.returncode == 0, completed.stdout)


@contextlib.contextmanager
def _kept_environment() -> Iterator[None]:
    """The suites name their run in the environment (`SOLO60_PACT_RUN`); the pipeline's is left as it was."""
    saved = dict(os.environ)
    try:
        yield
    finally:
        for name in set(os.environ) - set(saved):
            del os.environ[name]
        for name, value in saved.items():
            if os.environ.get(name) != value:
                os.environ[name] = value


@contextlib.contextmanager
def _forgotten_afterwards(repository: Path) -> Iterator[None]:
    """The suites' own modules (tests, conftests) are dropped when the run ends.

    pytest takes a module it finds in `sys.modules` as it is: a second run in this process
    would otherwise run the tests as the first found them, not as they are on disk now.
    """
    try:
        yield
    finally:
        root = repository.resolve()
        suites = root / "consumers"
        for name, module in list(sys.modules.items()):
            file = getattr(module, "__file__", None)
            if file is None:
                continue
            path = Path(file).resolve()
            if path == root / "conftest.py" or path.is_relative_to(suites):
                del sys.modules[name]
