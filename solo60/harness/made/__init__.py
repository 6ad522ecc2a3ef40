"""Where a pact is made: a consumer suite drives the consumer's own code against the Pact mock server.

`contract_test.py` gives each test its pact and the consumer's generated client pointed at
the mock; `matchers.py` turns examples into shape matchers; `pact_files.py` stages each
worker's pact files and merges them; `runs.py` decides which pairs a run made whole and keeps
the manifest beside the pacts; `pytest_plugin.py` ties these to a pytest run.
"""
