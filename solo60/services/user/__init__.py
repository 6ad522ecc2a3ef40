"""The user service: who a user is, their roles and status."""

from solo60.contracts.user import UserServiceContract
from solo60.services.kit import ServiceDefinition
from solo60.services.user.routes import UserRoutes
from solo60.services.user.states import states
from solo60.services.user.storage import metadata

service = ServiceDefinition(
    name="user",
    contract=UserServiceContract,
    routes=UserRoutes,
    metadata=metadata,
    migrations="solo60.services.user:migrations",
    states=states,
)
