"""Where a pact is judged: can-i-deploy over the broker's matrix (`matrix.py`), the release gate for
every service at one version (`release_gate.py`), the environments it judges for
(`environments.py`, read only) and the deployments recorded after (`deployments.py`)."""
