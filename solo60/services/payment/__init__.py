"""The payment service: credit balances and their ledger, and card charges through a gateway."""

from solo60.contracts.payment import PaymentServiceContract
from solo60.services.kit import ServiceDefinition
from solo60.services.payment.routes import PaymentRoutes
from solo60.services.payment.runtime import PaymentRuntime
from solo60.services.payment.states import states
from solo60.services.payment.storage import metadata

service = ServiceDefinition(
    name="payment",
    contract=PaymentServiceContract,
    routes=PaymentRoutes,
    metadata=metadata,
    migrations="solo60.services.payment:migrations",
    states=states,
    runtime=PaymentRuntime,
)
