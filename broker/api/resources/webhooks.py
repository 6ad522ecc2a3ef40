"""Resources for webhooks: CRUD, test execution and execution logs."""

from __future__ import annotations

from broker import paths
from broker.api import schemas
from broker.api.decorators import webhooks as decorate
from broker.api.requests import BrokerRequest
from broker.api.resources.common import NOT_FOUND, WRITE_ERRORS
from broker.api.responses import HalResponse, created, created_or_ok, ok
from broker.api.router import Router
from broker.errors import InvalidInputError, NotFoundError
from broker.pacticipants import service as pacticipants
from broker.webhooks import repository, service
from broker.webhooks.models import WebhookRequest
from broker.webhooks.tables import triggered_webhooks

TAG = "Webhooks"


def register(router: Router) -> None:
    @router.route("GET", "/webhooks", summary="List webhooks", tag=TAG)
    def list_webhooks(request: BrokerRequest) -> HalResponse:
        items = service.list_webhooks(request.connection)
        return ok(decorate.webhook_list(request.links, request.links.url("/webhooks"), items))

    @router.route(
        "POST",
        "/webhooks",
        summary="Create a webhook",
        tag=TAG,
        request_schema=schemas.WEBHOOK_BODY,
        responses={201: "Created", **WRITE_ERRORS},
        response_schema=schemas.WEBHOOK,
    )
    def create_webhook(request: BrokerRequest) -> HalResponse:
        item = service.create_webhook(request.connection, request.json_object(), request.settings.webhooks)
        return created(decorate.webhook(request.links, item), request.links.webhook(item.uuid))

    @router.route(
        "POST",
        "/webhooks/execute",
        summary="Test an unsaved webhook definition",
        tag=TAG,
        request_schema=schemas.WEBHOOK_BODY,
        responses={200: "Executed (see 'success')", **WRITE_ERRORS},
        response_schema=schemas.EXECUTION_RESULT,
    )
    def execute_unsaved_webhook(request: BrokerRequest) -> HalResponse:
        values = service.validated(request.connection, request.json_object(), request.settings.webhooks)
        webhook_request = WebhookRequest(**values["request"])
        context = {"eventName": values["events"][0]}
        result = request.services.executor.execute(webhook_request, context)
        return ok(decorate.execution_result(request.links, result))

    for role in ("provider", "consumer"):

        def by_role(request: BrokerRequest, role: str = role) -> HalResponse:
            name = request.param(role)
            pacticipants.get_pacticipant(request.connection, name)
            items = service.list_webhooks(request.connection, **{f"{role}_name": name})
            return ok(decorate.webhook_list(request.links, request.links.url(request.path), items))

        by_role.__name__ = f"list_{role}_webhooks"
        router.route(
            "GET",
            f"/webhooks/{role}/{{{role}}}",
            summary=f"Webhooks for a {role}",
            tag=TAG,
            responses={200: "OK", **NOT_FOUND},
        )(by_role)

    def _create_scoped(request: BrokerRequest) -> HalResponse:
        body = request.json_object()
        for role in ("provider", "consumer"):
            if role in request.params:
                # The path names the pacticipant, but a malformed one in the body is still an error.
                problem = service.party_problem(body.get(role))
                if problem:
                    raise InvalidInputError(f"{role} {problem}", {role: [problem]})
                body[role] = {"name": request.param(role)}
                pacticipants.get_pacticipant(request.connection, request.param(role))
        item = service.create_webhook(request.connection, body, request.settings.webhooks)
        return created(decorate.webhook(request.links, item), request.links.webhook(item.uuid))

    for template, name in (
        ("/webhooks/provider/{provider}/consumer/{consumer}", "create_pair_webhook"),
        ("/webhooks/provider/{provider}", "create_provider_webhook"),
        ("/webhooks/consumer/{consumer}", "create_consumer_webhook"),
        ("/pacts/provider/{provider}/consumer/{consumer}/webhooks", "create_pact_webhook"),
    ):

        def create_scoped(request: BrokerRequest) -> HalResponse:
            return _create_scoped(request)

        create_scoped.__name__ = name
        router.route(
            "POST",
            template,
            summary="Create a webhook scoped to the pacticipants in the path",
            tag=TAG,
            request_schema=schemas.WEBHOOK_BODY,
            responses={201: "Created", **NOT_FOUND, **WRITE_ERRORS},
            response_schema=schemas.WEBHOOK,
        )(create_scoped)

    def _pair(request: BrokerRequest) -> HalResponse:
        for role in ("provider", "consumer"):
            pacticipants.get_pacticipant(request.connection, request.param(role))
        items = service.list_webhooks(
            request.connection, consumer_name=request.param("consumer"), provider_name=request.param("provider")
        )
        return ok(decorate.webhook_list(request.links, request.links.url(request.path), items))

    @router.route(
        "GET",
        "/webhooks/provider/{provider}/consumer/{consumer}",
        summary="Webhooks for a consumer and provider",
        tag=TAG,
        responses={200: "OK", **NOT_FOUND},
    )
    def list_pair_webhooks(request: BrokerRequest) -> HalResponse:
        return _pair(request)

    @router.route(
        "GET",
        "/pacts/provider/{provider}/consumer/{consumer}/webhooks",
        summary="Webhooks for a consumer and provider",
        tag=TAG,
        responses={200: "OK", **NOT_FOUND},
    )
    def list_pact_webhooks(request: BrokerRequest) -> HalResponse:
        return _pair(request)

    @router.route(
        "GET",
        "/webhooks/{uuid}",
        summary="Describe a webhook (credentials redacted)",
        tag=TAG,
        responses={200: "OK", **NOT_FOUND},
        response_schema=schemas.WEBHOOK,
    )
    def get_webhook(request: BrokerRequest) -> HalResponse:
        return ok(decorate.webhook(request.links, service.get_webhook(request.connection, request.param("uuid"))))

    @router.route(
        "PUT",
        "/webhooks/{uuid}",
        summary="Create or replace a webhook with a chosen uuid",
        tag=TAG,
        request_schema=schemas.WEBHOOK_BODY,
        responses={200: "Updated", 201: "Created", **WRITE_ERRORS},
        response_schema=schemas.WEBHOOK,
    )
    def put_webhook(request: BrokerRequest) -> HalResponse:
        item, was_created = service.put_webhook(
            request.connection, request.param("uuid"), request.json_object(), request.settings.webhooks
        )
        return created_or_ok(decorate.webhook(request.links, item), was_created, request.links.webhook(item.uuid))

    @router.route(
        "DELETE",
        "/webhooks/{uuid}",
        summary="Delete a webhook",
        tag=TAG,
        responses={200: "Deleted", **NOT_FOUND, 503: "Database busy; retry"},
        response_schema=schemas.WEBHOOK,
    )
    def delete_webhook(request: BrokerRequest) -> HalResponse:
        return ok(decorate.webhook(request.links, service.delete_webhook(request.connection, request.param("uuid"))))

    @router.route(
        "POST",
        "/webhooks/{uuid}/execute",
        summary="Execute a webhook now with the newest matching pact, and log it (the body is ignored)",
        tag=TAG,
        request_schema={},
        request_required=False,
        responses={200: "Executed (see 'success')", **NOT_FOUND, 413: "Body too large", 503: "Database busy; retry"},
        response_schema=schemas.EXECUTION_RESULT,
    )
    def execute_webhook(request: BrokerRequest) -> HalResponse:
        webhook = service.get_webhook(request.connection, request.param("uuid"))
        context = service.test_context(request.connection, webhook)
        result = request.services.executor.execute(webhook.request, context)
        service.record_test_execution(
            request.connection, webhook, context.get("eventName", "test"), context, result.success, result.logs
        )
        return ok(decorate.execution_result(request.links, result))

    @router.route(
        "GET",
        "/webhooks/{uuid}/triggered-webhooks",
        summary="What a webhook has done: each triggering, its status and execution logs",
        tag=TAG,
        responses={200: "OK", **NOT_FOUND},
    )
    def list_triggered_webhooks(request: BrokerRequest) -> HalResponse:
        webhook = service.get_webhook(request.connection, request.param("uuid"))
        items = repository.triggered_where(request.connection, triggered_webhooks.c.webhook_id == webhook.id)
        executions = repository.executions_of(request.connection, [item.id for item in items])
        grouped: dict[str, list] = {}
        for execution in executions:
            grouped.setdefault(execution.triggered_webhook_uuid, []).append(execution)
        href = request.links.url(f"{paths.webhook(webhook.uuid)}/triggered-webhooks")
        return ok(decorate.triggered_list(request.links, href, items, grouped))

    @router.route(
        "GET",
        "/triggered-webhooks/{uuid}/logs",
        summary="Execution logs of one triggered webhook",
        tag=TAG,
        responses={200: "OK", **NOT_FOUND},
    )
    def get_triggered_webhook_logs(request: BrokerRequest) -> HalResponse:
        found = repository.triggered_where(request.connection, triggered_webhooks.c.uuid == request.param("uuid"))
        if not found:
            raise NotFoundError(f"No triggered webhook with uuid '{request.param('uuid')}' found")
        executions = repository.executions_of(request.connection, [found[0].id])
        return ok(decorate.triggered_webhook(request.links, found[0], executions))
