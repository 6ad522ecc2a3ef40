"""Each service's internal API, declared once (`solo60/contracts/<service>.py`).

Routes, validation, OpenAPI, HTML docs and the generated clients all come from these.
"""

from __future__ import annotations

from importlib import import_module

from solo60.contracts.errors import ErrorBody, ErrorCode, FieldError
from solo60.contracts.route import Contract, Link, Route

CONTRACT_CLASSES: dict[str, str] = {
    "user": "UserServiceContract",
    "auth": "AuthServiceContract",
    "gym": "GymServiceContract",
    "session": "SessionServiceContract",
    "payment": "PaymentServiceContract",
    "subscription": "SubscriptionServiceContract",
    "communication": "CommunicationServiceContract",
}


def contract_for(service: str) -> type[Contract]:
    """The contract class of a service, imported on demand."""
    if service not in CONTRACT_CLASSES:
        raise KeyError(f"unknown service {service!r}; choose from {', '.join(CONTRACT_CLASSES)}")
    module = import_module(f"solo60.contracts.{service}")
    return getattr(module, CONTRACT_CLASSES[service])


def all_contracts() -> list[type[Contract]]:
    """Every contract that exists, in the services' canonical order."""
    found = []
    for service in CONTRACT_CLASSES:
        try:
            found.append(contract_for(service))
        except ModuleNotFoundError as error:
            if error.name != f"solo60.contracts.{service}":
                raise
    return found


__all__ = [
    "CONTRACT_CLASSES",
    "Contract",
    "ErrorBody",
    "ErrorCode",
    "FieldError",
    "Link",
    "Route",
    "all_contracts",
    "contract_for",
]
