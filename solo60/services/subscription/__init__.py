"""The subscription service: members' subscriptions and the payment gateway's events about them."""

from solo60.contracts.subscription import SubscriptionServiceContract
from solo60.services.kit import ServiceDefinition
from solo60.services.subscription.messages import messages
from solo60.services.subscription.routes import SubscriptionRoutes
from solo60.services.subscription.runtime import SubscriptionRuntime
from solo60.services.subscription.states import states
from solo60.services.subscription.storage import metadata

service = ServiceDefinition(
    name="subscription",
    contract=SubscriptionServiceContract,
    routes=SubscriptionRoutes,
    metadata=metadata,
    migrations="solo60.services.subscription:migrations",
    states=states,
    runtime=SubscriptionRuntime,
    messages=messages,
)
