"""Resources for the matrix and can-i-deploy."""

from __future__ import annotations

from broker.api import schemas
from broker.api.decorators import matrix as decorate
from broker.api.requests import BrokerRequest
from broker.api.resources.common import NOT_FOUND
from broker.api.responses import HalResponse, ok
from broker.api.router import QueryParameter, Router
from broker.deployments import repository as deployments_repository
from broker.errors import NotFoundError
from broker.matrix import service
from broker.matrix.parse_query import (
    MatrixQuery,
    parse_can_i_deploy_query,
    parse_integration_matrix_query,
    parse_matrix_query,
)
from broker.matrix.selectors import UnresolvedSelector
from broker.pacticipants import service as pacticipants

TAG = "Matrix"
BOOLEAN = {"type": "string", "enum": ["true", "false"]}
SELECTOR_PARAMETERS = (
    QueryParameter(
        "q[][pacticipant]",
        "Pacticipant name of a selector (repeat q[][...] for more selectors)",
        schemas.NOT_BLANK,
        required=True,
    ),
    QueryParameter("q[][version]", "Version number of the selector"),
    QueryParameter("q[][latest]", "Use the latest version (with q[][tag] or q[][branch])", BOOLEAN),
    QueryParameter("q[][tag]", "Tag of the selector"),
    QueryParameter("q[][branch]", "Branch of the selector"),
    QueryParameter("q[][mainBranch]", "Use the pacticipant's main branch", BOOLEAN),
    QueryParameter("q[][environment]", "Versions currently in this environment"),
)
OPTION_PARAMETERS = (
    QueryParameter("ignore[][pacticipant]", "Ignore this pacticipant"),
    QueryParameter("ignore[][version]", "Ignore only this version of the ignored pacticipant"),
    QueryParameter(
        "latestby",
        "Keep only the latest row per cvp, cvpv or cp (without it: every pact revision and verification)",
        {"type": "string", "enum": ["cvp", "cvpv", "cp"]},
    ),
    QueryParameter("latest", "Destination: the latest version of the other pacticipants", BOOLEAN),
    QueryParameter("tag", "Destination: the versions with this tag (the latest one with latest=true)"),
    QueryParameter("environment", "Destination: the versions in this environment"),
    QueryParameter(
        "mainBranch", "Destination: the versions from each main branch (the latest with latest=true)", BOOLEAN
    ),
    QueryParameter(
        "success[]",
        "Keep only rows whose verification succeeded (true), failed (false) or is missing (blank); "
        "the summary counts only the rows kept",
        {"type": "string", "enum": ["true", "false", ""]},
    ),
    QueryParameter("limit", "Maximum rows (default 100)", {"type": "integer", "minimum": 1, "maximum": 10000}),
)
MATRIX_PARAMETERS = SELECTOR_PARAMETERS + OPTION_PARAMETERS
ANSWERS = {200: "The verdict and rows", 400: "Invalid query or unknown pacticipant or environment"}


def _answer(request: BrokerRequest, query: MatrixQuery) -> HalResponse:
    return ok(
        decorate.matrix(request.links, service.find(request.connection, query)), headers={"Cache-Control": "no-cache"}
    )


def register(router: Router) -> None:
    @router.route(
        "GET",
        "/matrix",
        summary="The matrix of pacts and verifications (can-i-deploy)",
        tag=TAG,
        query=MATRIX_PARAMETERS,
        responses=ANSWERS,
        response_schema=schemas.MATRIX,
    )
    def get_matrix(request: BrokerRequest) -> HalResponse:
        return _answer(request, parse_matrix_query(request.query))

    @router.route(
        "GET",
        "/can-i-deploy",
        summary="Can this version be deployed to an environment (or tag)?",
        tag=TAG,
        query=(
            QueryParameter("pacticipant", "Pacticipant name", schemas.NOT_BLANK, required=True),
            QueryParameter("version", "Version number", schemas.NOT_BLANK, required=True),
            QueryParameter("environment", "Target environment (or use 'to')"),
            QueryParameter("to", "Target tag (or use 'environment')"),
        ),
        responses=ANSWERS,
        response_schema=schemas.MATRIX,
    )
    def can_i_deploy(request: BrokerRequest) -> HalResponse:
        return _answer(request, parse_can_i_deploy_query(request.query))

    @router.route(
        "GET",
        "/matrix/provider/{provider}/consumer/{consumer}",
        summary="Every row between a consumer and a provider",
        tag=TAG,
        query=OPTION_PARAMETERS,
        responses={**ANSWERS, **NOT_FOUND},
        response_schema=schemas.MATRIX,
    )
    def get_integration_matrix(request: BrokerRequest) -> HalResponse:
        for role in ("consumer", "provider"):
            pacticipants.get_pacticipant(request.connection, request.param(role))
        query = parse_integration_matrix_query(request.query, request.param("consumer"), request.param("provider"))
        return _answer(request, query)

    @router.route(
        "GET",
        "/pacticipants/{pacticipant}/latest-version/{tag}/can-i-deploy/to/{to}",
        summary="Can the latest version with a tag be deployed to the environment named by another tag?",
        tag=TAG,
        responses={**ANSWERS, **NOT_FOUND},
        response_schema=schemas.MATRIX,
    )
    def can_i_deploy_tag_to_tag(request: BrokerRequest) -> HalResponse:
        pacticipants.get_pacticipant(request.connection, request.param("pacticipant"))
        selector = UnresolvedSelector(request.param("pacticipant"), latest=True, tag=request.param("tag"))
        return _answer(request, MatrixQuery((selector,), latestby="cvp", latest=True, tag=request.param("to")))

    @router.route(
        "GET",
        "/pacticipants/{pacticipant}/branches/{branch}/latest-version/can-i-deploy/to-environment/{environment}",
        summary="Can the latest version from a branch be deployed to an environment?",
        tag=TAG,
        responses={**ANSWERS, **NOT_FOUND},
        response_schema=schemas.MATRIX,
    )
    def can_i_deploy_branch_to_environment(request: BrokerRequest) -> HalResponse:
        pacticipants.get_pacticipant(request.connection, request.param("pacticipant"))
        if deployments_repository.find_environment(request.connection, name=request.param("environment")) is None:
            raise NotFoundError(f"No environment with name '{request.param('environment')}' found")
        selector = UnresolvedSelector(request.param("pacticipant"), latest=True, branch=request.param("branch"))
        return _answer(request, MatrixQuery((selector,), latestby="cvpv", environment=request.param("environment")))
