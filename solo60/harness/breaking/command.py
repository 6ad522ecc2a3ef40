"""`solo60 contracts breaking` as a function: gather the documents and the consumers, judge, print.

Exit status: 1 when a consumer that matters breaks, 0 otherwise, 2 (one line on stderr) when an
argument is wrong or an input cannot be read.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from solo60.harness.breaking import documents as docs
from solo60.harness.breaking.consumers import ConsumerPact, ConsumersError, local_pacts
from solo60.harness.breaking.gate import ProviderVerdict, judge
from solo60.harness.breaking.report import write_json, write_table
from solo60.harness.broker_access import BrokerAccess, BrokerError

USAGE = 2
BROKER_BASE = "broker"


@dataclass
class BreakingOptions:
    providers: Sequence[str] = ()
    base: str | None = None
    repo: Path | None = None
    pacts_dir: Path | None = None
    broker: BrokerAccess | None = None
    environments: Sequence[str] = ()
    as_json: bool = False


class UsageProblem(Exception):
    """A wrong argument or an unreadable input: one line, exit 2."""


def run(options: BreakingOptions, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    from solo60.harness.judged.environments import UnknownEnvironment

    try:
        base_name, candidate_name, verdicts = evaluate(options)
    except (UsageProblem, docs.DocumentsError, ConsumersError, UnknownEnvironment) as problem:
        print(f"error: {problem}", file=err)
        return USAGE
    except BrokerError as problem:
        print(f"error: {problem}", file=err)
        return USAGE
    (write_json if options.as_json else write_table)(out, base_name, candidate_name, verdicts)
    return 1 if any(verdict.breaking for verdict in verdicts) else 0


def evaluate(options: BreakingOptions) -> tuple[str, str, list[ProviderVerdict]]:
    """The base's and the candidate's names, and each provider's verdict."""
    repo = docs.repository_root(options.repo or Path.cwd())
    candidate = docs.working_tree_documents(repo)
    broker = None
    if options.broker is not None:
        from solo60.harness.breaking.broker_consumers import BrokerConsumers

        broker = BrokerConsumers(options.broker)
    elif options.base == BROKER_BASE:
        raise UsageProblem("--base broker needs --broker-url (or PACT_BROKER_BASE_URL)")
    if options.environments and broker is None:
        raise UsageProblem("--environment needs --broker-url: without a broker the consumers are the pacts in pacts/")
    providers = list(options.providers) or list(candidate)
    unknown = [name for name in providers if name not in candidate]
    base: dict[str, dict] = {}
    if options.base == BROKER_BASE:
        assert broker is not None
        base_name = "the broker's latest main-branch contracts"
        for name in providers:
            if name not in candidate:
                continue
            found = broker.main_branch_contract(name)
            if found is None:
                raise UsageProblem(
                    f"the broker at {options.broker.url if options.broker else '?'} has no contract of {name} "
                    "published from its main branch (publish one with `pact pactflow publish-provider-contract`)"
                )
            base[name] = found
    else:
        ref = options.base or docs.default_base(repo)
        base, commit = docs.ref_documents(repo, ref)
        named = ref if options.base else "the merge-base with main"
        base_name = f"{named} ({commit[:12]})"
    unknown = [name for name in unknown if name not in base]
    if unknown:
        known = ", ".join(sorted(set(candidate) | set(base)))
        raise UsageProblem(f"unknown provider {', '.join(unknown)}; choose from {known}")
    pacts_dir = options.pacts_dir or repo / "pacts"
    verdicts = []
    for name in providers:
        pacts: list[ConsumerPact] = (
            broker.pacts_that_matter(name, options.environments) if broker else local_pacts(pacts_dir, name)
        )
        verdicts.append(judge(name, base.get(name), candidate.get(name), pacts))
    return base_name, "the working tree", verdicts
