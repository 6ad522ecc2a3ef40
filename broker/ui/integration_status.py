"""The verification status of integrations as a whole (newest pact against newest verification),
for the network drawings: two queries whatever the number of integrations."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from broker.integrations.models import Integration
from broker.pacts import overview
from broker.verifications import repository as verifications_repository
from broker.verifications.pseudo_branch_status import PseudoBranchStatus, pseudo_branch_status


def statuses_of(connection: Connection, integrations: list[Integration]) -> dict[tuple[int, int], PseudoBranchStatus]:
    pairs = [(i.consumer_id, i.provider_id) for i in integrations]
    newest = overview.newest_of_integrations(connection, pairs)
    verifications = verifications_repository.latest_for_integrations(connection, pairs)
    return {
        pair: pseudo_branch_status(newest[pair].sha if pair in newest else None, verifications.get(pair))
        for pair in pairs
    }
