"""can-i-deploy for people: choose a pacticipant, a version and an environment; see the verdict,
each reason in the broker's own words, and the matrix rows behind it. The official tag and branch
can-i-deploy URLs answer browsers with the same page and the badge to embed."""

from __future__ import annotations

from broker.api.decorators.matrix import reason_text
from broker.api.requests import BrokerRequest
from broker.api.responses import HalResponse
from broker.api.router import Router
from broker.deployments import repository as deployments_repository
from broker.errors import BrokerError, InvalidInputError, NotFoundError
from broker.matrix import service
from broker.matrix.parse_query import MatrixQuery, parse_can_i_deploy_query
from broker.matrix.selectors import UnresolvedSelector
from broker.pacticipants import repository as pacticipants_repository
from broker.pacticipants import service as pacticipants
from broker.ui import urls
from broker.ui.matrix_rows import query_string_of, rows_of
from broker.ui.rendering import page

MAX_CHOICES = 1000


def _messages(failure: BrokerError) -> list[str]:
    details = failure.errors
    if isinstance(details, dict):
        return [f"{key}: {'; '.join(value)}" for key, value in details.items()]
    return [str(item) for item in details] or [str(failure)]


def _page(
    request: BrokerRequest,
    query: MatrixQuery | None,
    *,
    title: str,
    description: str = "",
    badge_path: str | None = None,
    errors: list[str] | None = None,
) -> HalResponse:
    connection = request.connection
    results = None
    if query is not None and not errors:
        try:
            results = service.find(connection, query)
        except BrokerError as failure:
            errors = _messages(failure)
    return page(
        request,
        "can_i_deploy.html",
        title=title,
        active="Can I deploy?",
        pacticipant_names=[p.name for p in pacticipants_repository.list_all(connection, limit=MAX_CHOICES)],
        environment_names=[e.name for e in deployments_repository.list_environments(connection)],
        chosen={key: request.query_value(key) or "" for key in ("pacticipant", "version", "environment", "to")},
        description=description,
        results=results,
        rows=rows_of(results) if results else [],
        reasons=[(reason.level, reason_text(reason)) for reason in results.summary.reasons] if results else [],
        api_path=f"{urls.MATRIX}?{query_string_of(query)}" if query is not None and not errors else None,
        badge_path=badge_path,
        errors=errors or [],
        status_code=400 if errors else 200,
    )


def register(router: Router) -> None:
    @router.route("GET", "/can-i-deploy", summary="can-i-deploy", tag="UI")
    def can_i_deploy_page(request: BrokerRequest) -> HalResponse:
        if not any(request.query_value(key) for key in ("pacticipant", "version", "environment", "to")):
            return _page(request, None, title="Can I deploy?")
        try:
            query = parse_can_i_deploy_query(request.query)
        except InvalidInputError as failure:
            details = failure.errors
            errors = (
                [f"{key}: {'; '.join(value)}" for key, value in details.items()]
                if isinstance(details, dict)
                else list(details)
            )
            return _page(request, None, title="Can I deploy?", errors=errors)
        selector = query.selectors[0]
        target = query.environment or query.tag
        return _page(
            request,
            query,
            title="Can I deploy?",
            description=f"{selector.pacticipant_name} version {selector.version_number} to {target}",
        )

    @router.route(
        "GET",
        "/pacticipants/{pacticipant}/latest-version/{tag}/can-i-deploy/to/{to}",
        summary="can-i-deploy by tag",
        tag="UI",
    )
    def can_i_deploy_tag_page(request: BrokerRequest) -> HalResponse:
        name, tag, to = request.param("pacticipant"), request.param("tag"), request.param("to")
        pacticipants.get_pacticipant(request.connection, name)
        selector = UnresolvedSelector(name, latest=True, tag=tag)
        return _page(
            request,
            MatrixQuery((selector,), latestby="cvp", latest=True, tag=to),
            title=f"Can I deploy {name}?",
            description=f"the latest version of {name} with tag {tag} to where tag {to} is",
            badge_path=urls.can_i_deploy_tag(name, tag, to) + "/badge",
        )

    @router.route(
        "GET",
        "/pacticipants/{pacticipant}/branches/{branch}/latest-version/can-i-deploy/to-environment/{environment}",
        summary="can-i-deploy by branch",
        tag="UI",
    )
    def can_i_deploy_branch_page(request: BrokerRequest) -> HalResponse:
        name, branch, environment = request.param("pacticipant"), request.param("branch"), request.param("environment")
        pacticipants.get_pacticipant(request.connection, name)
        if deployments_repository.find_environment(request.connection, name=environment) is None:
            raise NotFoundError(f"No environment with name '{environment}' found")
        selector = UnresolvedSelector(name, latest=True, branch=branch)
        return _page(
            request,
            MatrixQuery((selector,), latestby="cvpv", environment=environment),
            title=f"Can I deploy {name}?",
            description=f"the latest version of {name} from branch {branch} to {environment}",
            badge_path=urls.can_i_deploy_branch(name, branch, environment) + "/badge",
        )
