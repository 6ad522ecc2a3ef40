"""Run a GitHub Actions workflow's jobs on this machine, as a runner would, to prove the workflow works.

Jobs run in the order their `needs` give, each `strategy.matrix` combination once, their
`if:` conditions evaluated. `uses: actions/...` steps are what the runner provides: the
checkout is a copy of the working tree, `setup-python` is a fresh virtual environment (no
system site-packages) whose `bin` comes first on `PATH`, artifacts are left where they are.
Every `run:` step runs with `bash -e`, in the checkout, with the workflow's, the job's and the
step's `env`, after `${{ }}` expressions are evaluated against a context the test gives
(`github`, `vars`, `secrets`, `matrix`). An expression this evaluator does not know is an
error, never an empty string, so a workflow change cannot pass by being skipped.

One virtual environment serves every job with the same install step (`pip install ...`),
which then runs once: installing the same thing twice proves nothing more and costs minutes.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import sys
import venv
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
PASSED_THROUGH = ("HOME", "LANG", "LC_ALL", "TMPDIR", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")


class WorkflowError(AssertionError):
    """The workflow cannot run as written: the message names the job, the step and what went wrong."""


@dataclass(frozen=True)
class JobRun:
    """One job, with one combination of its matrix."""

    job: str
    definition: dict[str, Any]
    matrix: dict[str, Any]

    @property
    def label(self) -> str:
        values = ", ".join(f"{key}={value}" for key, value in self.matrix.items())
        return f"{self.job} ({values})" if values else self.job


@dataclass
class StepResult:
    job: str
    step: str
    command: str
    returncode: int
    output: str
    seconds: float = 0.0


@dataclass
class WorkflowRun:
    results: list[StepResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def load(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text())
    # YAML 1.1 reads the key `on` as True.
    if True in document and "on" not in document:
        document["on"] = document.pop(True)
    return document


def job_runs(workflow: Mapping[str, Any]) -> list[JobRun]:
    """Every job and matrix combination, a job after all it `needs`."""
    jobs: dict[str, dict[str, Any]] = dict(workflow["jobs"])
    ordered: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in ordered:
            return
        if name in visiting:
            raise WorkflowError(f"jobs need each other in a cycle through {name!r}")
        if name not in jobs:
            raise WorkflowError(f"a job needs {name!r}, which the workflow does not define")
        visiting.add(name)
        needs = jobs[name].get("needs", [])
        for needed in [needs] if isinstance(needs, str) else needs:
            visit(needed)
        ordered.append(name)

    for name in jobs:
        visit(name)
    runs = []
    for name in ordered:
        matrix = (jobs[name].get("strategy") or {}).get("matrix") or {}
        axes = {key: value for key, value in matrix.items() if key not in ("include", "exclude")}
        if matrix.get("include") or matrix.get("exclude"):
            raise WorkflowError(f"{name}: matrix include/exclude is not supported by this runner")
        combinations = [dict(zip(axes, values, strict=True)) for values in itertools.product(*axes.values())]
        runs += [JobRun(name, jobs[name], combination) for combination in combinations or [{}]]
    return runs


def evaluate(expression: str, context: Mapping[str, Any]) -> Any:
    """The value of a `${{ }}` expression: names, 'strings', ==, !=, ||, &&, always() and success()."""
    for separator, combine in (("||", any), ("&&", all)):
        parts = _split(expression, separator)
        if len(parts) > 1:
            values = [evaluate(part, context) for part in parts]
            if separator == "||":
                return next((value for value in values if value), values[-1])
            return values[-1] if combine(values) else next(value for value in values if not value)
    for operator in ("==", "!="):
        parts = _split(expression, operator)
        if len(parts) == 2:
            left, right = (evaluate(part, context) for part in parts)
            return (left == right) if operator == "==" else (left != right)
    term = expression.strip()
    if term in ("always()", "success()"):
        return True
    if term.startswith("'") and term.endswith("'"):
        return term[1:-1].replace("''", "'")
    if term in ("true", "false"):
        return term == "true"
    value: Any = context
    for part in term.split("."):
        if not isinstance(value, Mapping) or part not in value:
            raise WorkflowError(f"the expression {expression!r} names {term!r}, which this run does not provide")
        value = value[part]
    return value


def substitute(text: str, context: Mapping[str, Any]) -> str:
    def value(found: re.Match[str]) -> str:
        result = evaluate(found.group(1), context)
        return str(result).lower() if isinstance(result, bool) else str(result)

    return EXPRESSION.sub(value, text)


def condition(text: Any, context: Mapping[str, Any]) -> bool:
    if text is None:
        return True
    if isinstance(text, bool):
        return text
    inner = EXPRESSION.fullmatch(str(text).strip())
    return bool(evaluate(inner.group(1) if inner else str(text), context))


class Runner:
    """Runs jobs in one checkout, with a virtual environment per distinct install step."""

    def __init__(self, checkout: Path, environments: Path, context: Mapping[str, Any]) -> None:
        self.checkout = checkout
        self.environments = environments
        self.context = context
        self._venvs: dict[str, Path] = {}

    def run(self, workflow: Mapping[str, Any]) -> WorkflowRun:
        """Every job in order; the first failing step stops the run, as a failed job stops those after it."""
        outcome = WorkflowRun()
        for job in job_runs(workflow):
            context = {**self.context, "matrix": job.matrix}
            if not condition(job.definition.get("if"), context):
                outcome.skipped.append(job.label)
                continue
            for result in self._job(workflow, job, context):
                outcome.results.append(result)
                if result.returncode != 0:
                    return outcome
        return outcome

    def _job(self, workflow: Mapping[str, Any], job: JobRun, context: Mapping[str, Any]) -> Iterator[StepResult]:
        env = {**_evaluated(workflow.get("env"), context), **_evaluated(job.definition.get("env"), context)}
        timeout = 60 * float(job.definition.get("timeout-minutes", 30))
        steps = job.definition.get("steps", [])
        install = next((step["run"].strip() for step in steps if _installs(step)), "")
        bin_dir, installed = self._environment(install)
        for index, step in enumerate(steps, 1):
            name = step.get("name") or step.get("run", step.get("uses", f"step {index}")).strip().splitlines()[0]
            if "uses" in step:
                if not str(step["uses"]).startswith("actions/"):
                    raise WorkflowError(f"{job.label}: step {name!r} uses {step['uses']!r}, which this runner lacks")
                continue
            if not condition(step.get("if"), context):
                continue
            if _installs(step) and installed:
                continue  # this environment already holds exactly this install
            command = substitute(step["run"], context)
            step_env = {**env, **_evaluated(step.get("env"), context)}
            yield self._step(job.label, name, command, step_env, bin_dir, timeout)
        if install:
            self._venvs[install] = bin_dir

    def _environment(self, install: str) -> tuple[Path, bool]:
        if install in self._venvs:
            return self._venvs[install], True
        directory = self.environments / f"venv-{len(self._venvs)}"
        venv.EnvBuilder(with_pip=True, system_site_packages=False, clear=True).create(directory)
        return directory / "bin", False

    def _step(
        self, job: str, name: str, command: str, env: Mapping[str, str], bin_dir: Path, timeout: float
    ) -> StepResult:
        import time

        environ = {key: os.environ[key] for key in PASSED_THROUGH if key in os.environ}
        environ.update({key: value for key, value in os.environ.items() if key.startswith("PIP_")})
        environ.update(
            PATH=os.pathsep.join([str(bin_dir), *_system_path()]),
            VIRTUAL_ENV=str(bin_dir.parent),
            CI="true",
            GITHUB_ACTIONS="true",
        )
        environ.update(env)
        started = time.monotonic()
        try:
            completed = subprocess.run(
                ["bash", "-e", "-c", command],
                cwd=self.checkout,
                env=environ,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
            code, output = completed.returncode, completed.stdout + completed.stderr
        except subprocess.TimeoutExpired as expired:
            code, output = 124, f"timed out after {timeout:.0f} s\n{expired.stdout or ''}{expired.stderr or ''}"
        return StepResult(job, name, command, code, output, time.monotonic() - started)


def checkout(source: Path, target: Path) -> Path:
    """What actions/checkout gives a job: the files git tracks, and new ones it does not ignore, as
    one commit on `main` of a git repository (the breaking-change gate asks git for its base)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=source, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, listed):
        origin = source / name
        if origin.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, target / name)
    identity = ["-c", "user.name=runner", "-c", "user.email=runner@solo60.test"]
    for command in (["init", "-q", "-b", "main"], ["add", "-A"], [*identity, "commit", "-q", "-m", "checkout"]):
        subprocess.run(["git", *command], cwd=target, capture_output=True, check=True)
    return target


def describe_failure(run: WorkflowRun) -> str:
    failed = next((result for result in run.results if result.returncode != 0), None)
    if failed is None:
        return "every step passed"
    tail = "\n".join(failed.output.strip().splitlines()[-40:])
    return f"{failed.job}: step {failed.step!r} exited {failed.returncode}\n$ {failed.command}\n{tail}"


def _installs(step: Mapping[str, Any]) -> bool:
    return str(step.get("run", "")).strip().startswith("pip install")


def _evaluated(env: Mapping[str, Any] | None, context: Mapping[str, Any]) -> dict[str, str]:
    return {key: substitute(str(value), context) for key, value in (env or {}).items()}


def _system_path() -> list[str]:
    """PATH without any virtual environment (this test's own included), so the job sees only its own."""
    kept = []
    for entry in os.environ.get("PATH", "").split(os.pathsep):
        if entry and not (Path(entry) / "activate").exists() and Path(entry) != Path(sys.prefix) / "bin":
            kept.append(entry)
    return kept


def _split(expression: str, separator: str) -> list[str]:
    """Split at `separator` outside quotes and parentheses."""
    parts, depth, quoted, start, index = [], 0, False, 0, 0
    while index < len(expression):
        character = expression[index]
        if character == "'":
            quoted = not quoted
        elif not quoted and character == "(":
            depth += 1
        elif not quoted and character == ")":
            depth -= 1
        elif not quoted and depth == 0 and expression.startswith(separator, index):
            parts.append(expression[start:index])
            index += len(separator)
            start = index
            continue
        index += 1
    parts.append(expression[start:])
    return parts
