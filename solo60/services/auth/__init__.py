"""The auth service: credentials and tokens, whether a token is valid, and the account flows."""

from solo60.contracts.auth import AuthServiceContract
from solo60.services.auth.routes import AuthRoutes
from solo60.services.auth.runtime import AuthRuntime
from solo60.services.auth.states import states
from solo60.services.auth.storage import metadata
from solo60.services.kit import ServiceDefinition

service = ServiceDefinition(
    name="auth",
    contract=AuthServiceContract,
    routes=AuthRoutes,
    metadata=metadata,
    migrations="solo60.services.auth:migrations",
    states=states,
    runtime=AuthRuntime,
)
