"""The session service: members' bookings of a gym slot, their guests and waiting lists."""

from solo60.contracts.session import SessionServiceContract
from solo60.services.kit import ServiceDefinition
from solo60.services.session.messages import messages
from solo60.services.session.routes import SessionRoutes
from solo60.services.session.runtime import SessionRuntime
from solo60.services.session.states import states
from solo60.services.session.storage import metadata

service = ServiceDefinition(
    name="session",
    contract=SessionServiceContract,
    routes=SessionRoutes,
    metadata=metadata,
    migrations="solo60.services.session:migrations",
    states=states,
    runtime=SessionRuntime,
    messages=messages,
)
