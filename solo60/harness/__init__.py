"""The contract loop's machinery, shared by `consumers/`, `providers/`, the CLI and the pipeline.

A pact is made by a consumer suite (`consumers/`, with `consumer.py` and `matchers.py`),
stored in `pacts/` (`pact_files.py`) and in the broker (`broker_api.py`), verified against the
live provider (`verification.py`, used by `providers/`), and judged by can-i-deploy
(`gate.py`); `pipeline.py` runs the whole loop.
"""
