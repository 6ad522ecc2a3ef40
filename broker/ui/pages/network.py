"""The network (`/integrations` for a browser): every pacticipant and integration, edges styled
by the integration's verification status, drawn server-side as SVG (no script needed)."""

from __future__ import annotations

from broker.api.requests import BrokerRequest
from broker.api.responses import HalResponse
from broker.api.router import Router
from broker.integrations import repository as integrations_repository
from broker.pacticipants import repository as pacticipants_repository
from broker.ui import status
from broker.ui.integration_status import statuses_of
from broker.ui.network_layout import layout
from broker.ui.rendering import page

MAX_PACTICIPANTS = 1000


def register(router: Router) -> None:
    @router.route("GET", "/integrations", summary="The network", tag="UI")
    def network_page(request: BrokerRequest) -> HalResponse:
        connection = request.connection
        everyone = pacticipants_repository.list_all(connection, limit=MAX_PACTICIPANTS)
        integrations = integrations_repository.all_integrations(connection)
        statuses = statuses_of(connection, integrations)
        shown = {
            (i.consumer_name, i.provider_name): status.VERIFICATION[statuses[(i.consumer_id, i.provider_id)]]
            for i in integrations
        }
        drawing = layout([p.name for p in everyone], [(c, p, s.key) for (c, p), s in shown.items()])
        return page(
            request,
            "network.html",
            title="Network",
            active="Network",
            drawing=drawing,
            integrations=sorted(shown.items()),
            pacticipant_count=len(everyone),
        )
