"""Every page of the UI, registered on one router (separate from the API's, so pages never
appear in the OpenAPI document and the API's routes never change)."""

from __future__ import annotations

from broker.api.router import Router
from broker.ui.pages import (
    assets,
    can_i_deploy,
    coverage,
    dashboard,
    environments,
    index,
    matrix,
    network,
    pacticipants,
    pacts,
    provider_contracts,
    webhooks,
)


def build_page_router() -> Router:
    router = Router()
    for module in (
        assets,
        index,
        dashboard,
        pacts,
        provider_contracts,
        matrix,
        can_i_deploy,
        pacticipants,
        network,
        environments,
        webhooks,
        coverage,
    ):
        module.register(router)
    return router
