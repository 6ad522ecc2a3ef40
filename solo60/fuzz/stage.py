"""The pipeline's fuzz stage: a small budget, fuzzed in a process of its own beside verification.

In the pipeline's process the fuzzer ran after verification and shared one interpreter lock
with the providers it fuzzed: a third of the run's wall time, more with bytecode writing off
(PYTHONDONTWRITEBYTECODE), when that process compiled Schemathesis again on every run. Here a
process spawned as the pipeline starts imports Schemathesis and starts providers of its own
(all seven, in a child of its own, as `solo60 fuzz` does) while the consumer suites run; it is
told which providers to fuzz once their pacts exist and fuzzes them while the pipeline
verifies, so the two use both cores. Its providers run on their own data: a malformed case
never meets a provider state that verification set up.

This module imports nothing of the fuzzing engine: the pipeline's process never loads it.
"""

from __future__ import annotations

import importlib
import multiprocessing
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from solo60.fuzz.results import TargetResult

RESULTS_TIMEOUT_SECONDS = 300.0
"""Longer than the pipeline's budget ever takes (seconds), short enough that a stuck run ends."""

STOP_TIMEOUT_SECONDS = 20.0
"""How long the fuzzing process may take to stop its providers once told to end."""


class FuzzStageError(RuntimeError):
    """The stage could not fuzz: its providers did not start, a state could not be set up, its process ended."""


class FuzzBeside:
    """The fuzzing process, from its start with the pipeline to its results; `fuzz_beside` stops it."""

    def __init__(self) -> None:
        # Spawned, not forked: the pipeline's process runs server threads by the time it is told.
        context = multiprocessing.get_context("spawn")
        self._orders, theirs = context.Pipe()
        self._process = context.Process(target=_fuzz_when_told, args=(theirs,), name="solo60-fuzz")
        self._process.start()
        theirs.close()

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def begin(self, providers: Sequence[str], pacts_dir: Path) -> None:
        """Fuzz `providers`, setting each operation's provider states up from the pacts in `pacts_dir`."""
        from solo60.services import SERVICE_NAMES

        unknown = [name for name in providers if name not in SERVICE_NAMES]
        if unknown:
            known = ", ".join(SERVICE_NAMES)
            raise FuzzStageError(f"no such service to fuzz: {', '.join(unknown)} (there are {known})")
        with suppress(OSError):  # it has ended: `results` says so, with its exit code
            self._orders.send((list(providers), str(pacts_dir)))

    def results(self, timeout: float = RESULTS_TIMEOUT_SECONDS) -> list[TargetResult]:
        """Each provider's results, in the order `begin` named them; raises `FuzzStageError` if there are none."""
        try:
            if not self._orders.poll(timeout):
                raise FuzzStageError(f"the fuzzing process sent no results within {timeout:.0f} s")
            kind, value = self._orders.recv()
        except (EOFError, OSError):
            self._process.join(timeout=1)
            raise FuzzStageError(
                f"the fuzzing process ended without results (exit code {self._process.exitcode}); "
                "its error is printed above"
            ) from None
        if kind == "error":
            raise FuzzStageError(value)
        return value

    def stop(self) -> None:
        """Tell the process to end (whether or not it fuzzed) and wait until it has stopped its providers."""
        with suppress(OSError):  # it has already ended
            self._orders.send(None)
        self._process.join(timeout=STOP_TIMEOUT_SECONDS)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout=STOP_TIMEOUT_SECONDS)
        self._orders.close()


@contextmanager
def fuzz_beside() -> Iterator[FuzzBeside]:
    """Start the fuzzing process now; it waits for `begin` and is stopped when the block ends."""
    beside = FuzzBeside()
    try:
        yield beside
    finally:
        beside.stop()


def stage_detail(results: list[TargetResult]) -> str:
    operations = sum(len(result.operations) for result in results)
    cases = sum(result.cases for result in results)
    new = sum(len(result.new) + len(result.errors) for result in results)
    return f"{len(results)} providers, {operations} operations, {cases} cases, {new} new findings"


_NOT_YET = object()


def _fuzz_when_told(orders: Connection) -> None:
    """The fuzzing process: providers up and seeded at once, then fuzz what the pipeline names."""
    from solo60.fuzz.baseline import Baseline
    from solo60.fuzz.live import live_targets
    from solo60.services import SERVICE_NAMES

    # The fuzzing engine loads while the providers start: this process mostly waits for their
    # child meanwhile, which starts on the other core.
    engine = threading.Thread(target=importlib.import_module, args=("solo60.fuzz.runner",), daemon=True)
    try:
        # Told already? If to end (the pipeline stopped while this process was starting), no providers start.
        order = orders.recv() if orders.poll() else _NOT_YET
        if order is None:
            return
        engine.start()
        with live_targets(SERVICE_NAMES) as live:
            if order is _NOT_YET:
                order = orders.recv()
            if order is None:
                return
            names, pacts_dir = order
            engine.join()
            from solo60.fuzz.budget import PIPELINE_BUDGET
            from solo60.fuzz.runner import run_targets

            baseline = Baseline.load()
            results = run_targets([live[name] for name in names], PIPELINE_BUDGET, baseline, pacts_dir=Path(pacts_dir))
            orders.send(("results", results))
    except EOFError:
        return  # the pipeline ended (or died) before it needed us
    except Exception as error:  # the pipeline shows the reason in its stage, not a traceback from a child
        with suppress(OSError):
            orders.send(("error", f"{type(error).__name__}: {error}"))
