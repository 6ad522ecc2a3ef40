"""Client classes for the tests' own contracts, generated the way `solo60 codegen` writes the real ones."""

from __future__ import annotations

import types

from solo60.clients import ServiceClient
from solo60.contracts.codegen import client_class_name, render_client_module
from solo60.contracts.route import Contract


def client_for(contract: type[Contract]) -> type[ServiceClient]:
    """The generated client class of `contract`, compiled from the generator's source."""
    module = types.ModuleType(f"generated_{contract.service}_client")
    exec(compile(render_client_module(contract), f"<generated {contract.service} client>", "exec"), module.__dict__)
    return getattr(module, client_class_name(contract.service))
