"""One error-code table, from which the providers' and the clients' exceptions both come, under different names."""

from __future__ import annotations

import solo60.clients as clients
import solo60.services.kit as kit
from solo60.clients._exceptions import ERROR_CLASSES, UpstreamError
from solo60.contracts.errors import ErrorCode
from solo60.services.kit.errors import PROVIDER_ERRORS, ServiceError


def test_every_code_has_a_provider_exception_named_by_the_table() -> None:
    assert set(PROVIDER_ERRORS) == set(ErrorCode)
    for code, cls in PROVIDER_ERRORS.items():
        assert cls.__name__ == code.exception_name
        assert issubclass(cls, ServiceError)
        assert cls("x").to_response().status_code == code.status


def test_every_code_has_a_client_exception_in_its_own_family() -> None:
    assert set(ERROR_CLASSES) == set(ErrorCode)
    for code, cls in ERROR_CLASSES.items():
        assert cls.__name__ == code.upstream_exception_name == f"Upstream{code.exception_name}"
        assert issubclass(cls, UpstreamError)
        assert getattr(clients, cls.__name__) is cls


def test_no_exception_name_is_shared_by_the_two_sides() -> None:
    """A handler imports `NotFound` from the kit and `UpstreamNotFound` from the clients: nothing to rename."""
    provider_names = {name for name in dir(kit) if isinstance(getattr(kit, name), type)}
    client_names = {name for name in dir(clients) if isinstance(getattr(clients, name), type)}
    errors = {name for name in provider_names if issubclass(getattr(kit, name), Exception)}
    assert errors & client_names == set()


def test_a_class_named_against_the_table_is_refused_at_import() -> None:
    import pytest

    with pytest.raises(TypeError, match="whose exception is named NotFound"):
        type("Missing", (ServiceError,), {"code": ErrorCode.NOT_FOUND})
    with pytest.raises(TypeError, match="whose client exception is named UpstreamNotFound"):
        type("NotFound", (UpstreamError,), {"code": ErrorCode.NOT_FOUND})
