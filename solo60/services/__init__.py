"""The seven Solo60 services, each a package with the same inner shape.

`<name>/routes.py` implements the contract in `solo60/contracts/<name>.py`,
`<name>/storage.py` holds its tables and queries, `<name>/states.py` its provider states,
`<name>/migrations/` its schema history; `kit/` holds the conventions they share.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from solo60.services.kit.service import ServiceDefinition

SERVICE_NAMES: tuple[str, ...] = (
    "user",
    "auth",
    "gym",
    "session",
    "payment",
    "subscription",
    "communication",
)

DEFAULT_PORTS: dict[str, int] = {name: 8101 + index for index, name in enumerate(SERVICE_NAMES)}


class UnknownService(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(f"unknown service {name!r}; choose from {', '.join(SERVICE_NAMES)}")


def definition(name: str) -> ServiceDefinition:
    """The definition of one service, imported on demand."""
    if name not in SERVICE_NAMES:
        raise UnknownService(name)
    return import_module(f"solo60.services.{name}").service


def available() -> list[str]:
    """The services whose packages exist (all seven once the project is complete)."""
    found = []
    for name in SERVICE_NAMES:
        try:
            import_module(f"solo60.services.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"solo60.services.{name}":
                raise
            continue
        found.append(name)
    return found
