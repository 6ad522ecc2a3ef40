"""The gym service: what a gym is like and what a slot in it costs."""

from solo60.contracts.gym import GymServiceContract
from solo60.services.gym.routes import GymRoutes
from solo60.services.gym.states import states
from solo60.services.gym.storage import metadata
from solo60.services.kit import ServiceDefinition

service = ServiceDefinition(
    name="gym",
    contract=GymServiceContract,
    routes=GymRoutes,
    metadata=metadata,
    migrations="solo60.services.gym:migrations",
    states=states,
)
