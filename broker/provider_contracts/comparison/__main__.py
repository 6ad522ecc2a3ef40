"""`python -m broker.provider_contracts.comparison --oas FILE_OR_URL [--json] PACT...`: the
comparator without the Solo60 harness (the broker installs on its own); the same command as
`solo60 contracts compare`."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from broker.provider_contracts.comparison.command import USAGE_STATUS, run


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        print(f"error: {message} (see '{self.prog} --help')", file=sys.stderr)
        raise SystemExit(USAGE_STATUS)


def main(argv: list[str] | None = None, *, prog: str = "python -m broker.provider_contracts.comparison") -> int:
    """Parse the arguments and compare; `prog` names the command in usage and errors."""
    parser = _Parser(
        prog=prog,
        description="Check every HTTP interaction of each pact against an OpenAPI 3.0/3.1 document.",
    )
    parser.add_argument("--oas", required=True, help="path or http(s) URL of the OpenAPI document (JSON or YAML)")
    parser.add_argument("--json", action="store_true", help="one JSON line per pact: its list of results")
    parser.add_argument("pacts", nargs="+", metavar="PACT", help="pact files (V2, V3 or V4)")
    arguments = parser.parse_args(argv)
    return run(arguments.oas, arguments.pacts, as_json=arguments.json)


if __name__ == "__main__":
    raise SystemExit(main())
