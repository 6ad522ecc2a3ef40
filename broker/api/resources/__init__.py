"""Every HTTP resource of the broker, registered on one router."""

from __future__ import annotations

from broker.api.resources import (
    badges,
    deployments,
    integrations,
    matrix,
    pacticipants,
    pacts,
    provider_contracts,
    system,
    verification,
    versions,
    webhooks,
)
from broker.api.router import Router


def build_router() -> Router:
    router = Router()
    for module in (
        system,
        pacticipants,
        versions,
        deployments,
        pacts,
        verification,
        matrix,
        webhooks,
        integrations,
        provider_contracts,
        badges,
    ):
        module.register(router)
    return router
