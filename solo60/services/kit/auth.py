"""Service auth: every `/internal/*` call carries `x-api-key`, and the key says who is calling.

The key decides the caller (`service_keys`): `x-service-name` may repeat that name but never
change it (a mismatch is a 401), rate limits count per caller (`Caller.principal`), and a route
may admit only named callers (the binding answers 403 to others). With a shared key, such as the
development key, the caller is whoever `x-service-name` claims.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from starlette.types import Scope

from solo60.environment import DEVELOPMENT_API_KEY, calling_key_variable
from solo60.services.kit.errors import Unauthorized
from solo60.services.kit.service_keys import Caller, ServiceKeys
from solo60.services.kit.settings import ServiceSettings

OPEN_PATHS = ("/internal/docs", "/internal/openapi.json")
CALLER_SCOPE_KEY = "solo60.caller"


def calling_key_refused(environ: Mapping[str, str], callers: Iterable[str] = ()) -> str | None:
    """Why the services of one environment would refuse each other's calls, or None when they accept them.

    Each service calls the others with its own key (`<NAME>_SERVICE_API_KEY`, else
    `SERVICE_API_KEY`) and accepts `SERVICE_API_KEYS` and the keys file: a key outside those, or
    bound to another caller, means its calls answer 401 and the routes that depend on them 503.
    Said at start, it is a configuration slip rather than an outage.
    """
    settings = ServiceSettings.from_env("services", environ)
    keys = ServiceKeys(settings.api_keys, settings.api_keys_file)
    problems: dict[str, list[str]] = {}
    for caller in callers or ("",):
        own = calling_key_variable(caller) if caller else ""
        source = own if own and environ.get(own, "").strip() else "SERVICE_API_KEY"
        key = environ.get(source, "").strip()
        shown = source if key else "the development key (SERVICE_API_KEY unset)"
        identity = keys.identify((key or DEVELOPMENT_API_KEY).encode(), caller or None)
        if identity is None:
            role = "the key the services call each other with" if source == "SERVICE_API_KEY" else "its own key"
            problems.setdefault(f"{shown}, {role}, is not among the keys they accept", []).append(caller)
        elif identity.verified and caller and identity.name != caller:
            problems.setdefault(f"{shown} belongs to {identity.name!r}", []).append(caller)
    if not problems:
        return None
    said = []
    for problem, affected in problems.items():
        named = [name for name in affected if name]
        said.append(f"{problem} (used by {', '.join(named)})" if named and " belongs to " in problem else problem)
    accepted = "SERVICE_API_KEYS" + (" and SERVICE_API_KEYS_FILE" if settings.api_keys_file else "")
    return (
        "; ".join(said) + f" ({accepted}): those calls will be refused (401) and the routes that call another "
        "service answer 503. Give each service its own key as caller:key in SERVICE_API_KEYS (or the keys file) "
        "and set <NAME>_SERVICE_API_KEY (or SERVICE_API_KEY) to it."
    )


def caller_of(scope: Scope) -> Caller | None:
    """The authenticated caller of a request (set by `ConventionsMiddleware`), for limits and routes."""
    caller = scope.get(CALLER_SCOPE_KEY)
    return caller if isinstance(caller, Caller) else None


class ServiceAuth:
    """Who a request's key says is calling, or the 401 that refuses it (run by `ConventionsMiddleware`)."""

    def __init__(self, keys: ServiceKeys) -> None:
        self.keys = keys

    @staticmethod
    def guards(path: str) -> bool:
        """Whether a path needs a key: every `/internal` route but its docs."""
        return path.startswith("/internal") and not path.startswith(OPEN_PATHS)

    def caller(self, presented: bytes | None, claimed: str | None) -> Caller:
        """The caller the key belongs to; `Unauthorized` for a missing or unknown key or a false name."""
        caller = self.keys.identify(presented, claimed)
        if caller is None:
            reason = "missing x-api-key header" if presented is None else "x-api-key is not an accepted service key"
            raise Unauthorized(f"Unauthorized: {reason}.")
        if caller.verified and claimed is not None and claimed != caller.name:
            raise Unauthorized(
                f"Unauthorized: x-service-name says {claimed[:64]!r}, but this x-api-key belongs to {caller.name!r}. "
                "Each service calls with its own key; send that service's key, or no x-service-name."
            )
        return caller
