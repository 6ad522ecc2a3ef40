"""The coverage map of the providers' contracts: `gather.py` collects it (offline or from a broker),
`report.py` prints it as tables, JSON or one HTML page. `solo60 contracts coverage` is the command;
the computation itself is `broker/provider_contracts/coverage.py`, which the broker's `/coverage`
resource shares."""
