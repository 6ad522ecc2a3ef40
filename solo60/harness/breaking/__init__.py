"""The consumer-aware breaking-change gate: which consumers a change to a provider's contract breaks.

`changes.py` lists what differs between two OpenAPI documents, `documents.py` renders the
documents (the working tree's contracts, a git ref's, the broker's), `consumers.py` finds the
pacts that matter (`pacts/` or the broker), `gate.py` judges each change by the interactions it
breaks, and `report.py` prints the verdict. `solo60 contracts breaking` is the command.
"""
