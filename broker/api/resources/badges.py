"""Badge resources: one parameterised route per badge kind, each with and without `.svg`.

Badges answer 200 with an SVG whatever they find (a missing pact is a "pact not found" badge),
never cache, and need no credentials when public badge access is on.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from broker.api.requests import BrokerRequest
from broker.api.responses import HalResponse
from broker.api.router import Access, QueryParameter, Router
from broker.badges import service
from broker.badges.svg import render

TAG = "Badges"
SVG = "image/svg+xml;charset=utf-8"
STYLE_PARAMETERS = (
    QueryParameter("label", "consumer or provider: show only that name (can-i-deploy: the left text)"),
    QueryParameter("initials", "true: shorten names to their initials (any other value: do not)"),
)


def _style(request: BrokerRequest) -> service.Style:
    return service.Style(label=request.query_value("label"), initials=request.query_value("initials") == "true")


def _svg(drawn: service.Drawn) -> HalResponse:
    return HalResponse(200, None, {"Cache-Control": "no-cache"}, SVG, raw=render(drawn.badge, drawn.comment).encode())


def _pact(request: BrokerRequest, *, only_untagged: bool = False) -> HalResponse:
    return _svg(
        service.pact_badge(
            request.connection,
            request.param("provider"),
            request.param("consumer"),
            _style(request),
            consumer_tag=request.params.get("tag"),
            only_untagged=only_untagged,
        )
    )


def _matrix(request: BrokerRequest) -> HalResponse:
    return _svg(
        service.pact_badge(
            request.connection,
            request.param("provider"),
            request.param("consumer"),
            _style(request),
            consumer_tag=request.param("consumer_tag"),
            provider_tag=request.param("provider_tag"),
            tags_in_title=True,
        )
    )


def _can_i_deploy_tag(request: BrokerRequest) -> HalResponse:
    return _svg(
        service.can_i_deploy_tag_badge(
            request.connection, request.param("pacticipant"), request.param("tag"), request.param("to"), _style(request)
        )
    )


def _can_i_deploy_branch(request: BrokerRequest) -> HalResponse:
    return _svg(
        service.can_i_deploy_branch_badge(
            request.connection,
            request.param("pacticipant"),
            request.param("branch"),
            request.param("environment"),
            _style(request),
        )
    )


def _can_i_merge(request: BrokerRequest) -> HalResponse:
    return _svg(service.can_i_merge_badge(request.connection, request.param("pacticipant")))


BADGES: list[tuple[str, str, Callable[[BrokerRequest], HalResponse], str]] = [
    ("/pacts/provider/{provider}/consumer/{consumer}/latest", "pact", _pact, "The newest pact's verification status"),
    (
        "/pacts/provider/{provider}/consumer/{consumer}/latest/{tag}",
        "tagged_pact",
        _pact,
        "The verification status of the newest pact with a consumer tag",
    ),
    (
        "/pacts/provider/{provider}/consumer/{consumer}/latest-untagged",
        "untagged_pact",
        partial(_pact, only_untagged=True),
        "The verification status of the newest pact from a consumer version without tags",
    ),
    (
        "/matrix/provider/{provider}/latest/{provider_tag}/consumer/{consumer}/latest/{consumer_tag}",
        "matrix",
        _matrix,
        "The newest tagged pact's status against the provider versions with a tag",
    ),
    (
        "/pacticipants/{pacticipant}/latest-version/{tag}/can-i-deploy/to/{to}",
        "can_i_deploy_tag",
        _can_i_deploy_tag,
        "Can the newest version with a tag be deployed where another tag is?",
    ),
    (
        "/pacticipants/{pacticipant}/branches/{branch}/latest-version/can-i-deploy/to-environment/{environment}",
        "can_i_deploy_branch",
        _can_i_deploy_branch,
        "Can the newest version from a branch be deployed to an environment?",
    ),
    (
        "/pacticipants/{pacticipant}/main-branch/can-i-merge",
        "can_i_merge",
        _can_i_merge,
        "Is the newest main-branch version compatible with its integrations' main branches?",
    ),
]


def register(router: Router) -> None:
    for base, name, handler, summary in BADGES:
        for suffix in ("badge", "badge.svg"):

            def answer(
                request: BrokerRequest, handler: Callable[[BrokerRequest], HalResponse] = handler
            ) -> HalResponse:
                return handler(request)

            answer.__name__ = f"get_{name}_badge" + ("_svg" if suffix.endswith(".svg") else "")
            router.route(
                "GET",
                f"{base}/{suffix}",
                summary=summary,
                tag=TAG,
                access=Access.BADGE,
                query=STYLE_PARAMETERS,
                response_schema={"type": "string"},
                media_type="image/svg+xml",
            )(answer)
