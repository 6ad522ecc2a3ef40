"""The communication service: transactional email now or through an outbox, and in-app notifications."""

from solo60.contracts.communication import CommunicationServiceContract
from solo60.services.communication.routes import CommunicationRoutes
from solo60.services.communication.runtime import CommunicationRuntime
from solo60.services.communication.states import states
from solo60.services.communication.storage import metadata
from solo60.services.kit import ServiceDefinition

service = ServiceDefinition(
    name="communication",
    contract=CommunicationServiceContract,
    routes=CommunicationRoutes,
    metadata=metadata,
    migrations="solo60.services.communication:migrations",
    states=states,
    runtime=CommunicationRuntime,
)
