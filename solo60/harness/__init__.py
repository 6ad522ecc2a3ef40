"""The contract loop's machinery, laid out in the order a pact travels.

- `made/`: a consumer suite (`consumers/`) drives the consumer's own code against the Pact
  mock server (`contract_test.py`, `matchers.py`, `pytest_plugin.py`) and writes `pacts/`
  (`pact_files.py`) only for pairs whose tests all ran and passed (`runs.py`, the manifest);
- `compared/`: each pact is checked against its provider's generated OpenAPI document with the
  broker's comparator (`static_check.py`), no provider running: a mismatch in about a second;
- `published/`: the pacts go to the broker (`publish.py`), refused when a partial or failing
  run left them;
- `verified/`: the live provider replays them with the official verifier
  (`verification.py`, used by `providers/`), results in JUnit XML (`junit.py`);
- `judged/`: can-i-deploy asks the broker's matrix (`matrix.py`), the release gate judges every
  service at one version (`release_gate.py`) in an environment that must exist
  (`environments.py`), and a deployment is recorded (`deployments.py`).

Shared by every step: `broker_access.py` (the broker's URL and credentials, from flags or the
`PACT_BROKER_*` variables, and the one HTTP client to it), `versions.py` (the version and
branch, as given or from git) and `suite_options.py` (the pytest options of the suites).
`pipeline.py` runs the whole path; the CLI (`solo60/cli/harness.py`) only parses, calls and prints.
"""
