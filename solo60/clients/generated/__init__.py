"""The service clients, one module per contract: written by `solo60 codegen`, do not edit."""

from solo60.clients.generated.auth import AuthClient
from solo60.clients.generated.communication import CommunicationClient
from solo60.clients.generated.gym import GymClient
from solo60.clients.generated.payment import PaymentClient
from solo60.clients.generated.session import SessionClient
from solo60.clients.generated.subscription import SubscriptionClient
from solo60.clients.generated.user import UserClient

__all__ = [
    "AuthClient",
    "CommunicationClient",
    "GymClient",
    "PaymentClient",
    "SessionClient",
    "SubscriptionClient",
    "UserClient",
]
