"""Every failure is a typed exception carrying what the provider said; a reply off-contract names the field."""

from __future__ import annotations

import pytest

from solo60.clients import (
    ContractError,
    ServiceCallError,
    ServiceUnavailable,
    TransportError,
    UnsentField,
    UpstreamConflict,
    UpstreamDependencyUnavailable,
    UpstreamError,
    UpstreamForbidden,
    UpstreamIdempotencyKeyReused,
    UpstreamInsufficientCredits,
    UpstreamInternalError,
    UpstreamMethodNotAllowed,
    UpstreamNotFound,
    UpstreamPayloadTooLarge,
    UpstreamRateLimited,
    UpstreamUnauthorized,
    UpstreamUnsupportedMediaType,
    UpstreamValidationFailed,
)
from solo60.contracts.errors import ErrorCode
from tests.clients.probe import THING, NewThing, Thing
from tests.clients.scripted import Answer, error

EXCEPTION_OF = {
    ErrorCode.VALIDATION_ERROR: UpstreamValidationFailed,
    ErrorCode.UNAUTHORIZED: UpstreamUnauthorized,
    ErrorCode.INSUFFICIENT_CREDITS: UpstreamInsufficientCredits,
    ErrorCode.FORBIDDEN: UpstreamForbidden,
    ErrorCode.NOT_FOUND: UpstreamNotFound,
    ErrorCode.METHOD_NOT_ALLOWED: UpstreamMethodNotAllowed,
    ErrorCode.CONFLICT: UpstreamConflict,
    ErrorCode.PAYLOAD_TOO_LARGE: UpstreamPayloadTooLarge,
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: UpstreamUnsupportedMediaType,
    ErrorCode.IDEMPOTENCY_KEY_REUSED: UpstreamIdempotencyKeyReused,
    ErrorCode.RATE_LIMITED: UpstreamRateLimited,
    ErrorCode.INTERNAL: UpstreamInternalError,
    ErrorCode.UPSTREAM_UNAVAILABLE: UpstreamDependencyUnavailable,
}


def test_every_error_code_of_the_conventions_has_its_own_exception() -> None:
    assert set(EXCEPTION_OF) == set(ErrorCode)


@pytest.mark.parametrize("code", list(ErrorCode), ids=lambda code: code.value)
async def test_an_error_body_raises_the_exception_of_its_code(provider, probe, code) -> None:
    provider.answer(error(code.status, code.value, "the provider's words", correlation_id="corr-7"))

    with pytest.raises(EXCEPTION_OF[code]) as caught:
        await probe().create_thing(NewThing(name="kettlebell", size=16))  # not retried: one answer, one error

    raised = caught.value
    assert isinstance(raised, UpstreamError)
    assert isinstance(raised, ServiceCallError)
    assert raised.code is code
    assert raised.status == code.status
    assert raised.message == "the provider's words"
    assert raised.correlation_id == "corr-7"
    assert (raised.service, raised.operation) == ("probe", "create_thing")
    assert f"probe.create_thing answered {code.status} {code.value}" in str(raised)


async def test_a_validation_failure_carries_each_field(provider, probe) -> None:
    details = [
        {"field": "body.size", "message": "must be at least 0", "type": "greater_than_equal"},
        {"field": "body.name", "message": "Field required", "type": "missing"},
    ]
    provider.answer(error(400, "VALIDATION_ERROR", "Invalid request", details=details))

    with pytest.raises(UpstreamValidationFailed) as caught:
        await probe().create_thing(NewThing(name="kettlebell", size=16))

    assert [detail.field for detail in caught.value.details] == ["body.size", "body.name"]
    assert caught.value.details[0].message == "must be at least 0"


async def test_rate_limiting_tells_how_long_to_wait(provider, probe) -> None:
    provider.answer(error(429, "RATE_LIMITED", headers={"Retry-After": "7"}))

    with pytest.raises(UpstreamRateLimited) as caught:
        await probe().create_thing(NewThing(name="kettlebell", size=16))

    assert caught.value.retry_after == 7


async def test_a_success_body_missing_a_field_is_read_tolerantly_until_the_code_reads_that_field(
    provider, probe
) -> None:
    """A tolerant reader: a consumer that never reads `size` keeps working when the provider drops it;
    one that reads it learns which field is missing, by its wire name."""
    provider.answer(Answer(200, {"id": "t-1", "name": "kettlebell"}))

    thing = await probe().get_thing("t-1")

    assert isinstance(thing, Thing)
    assert (thing.id, thing.name) == ("t-1", "kettlebell")
    with pytest.raises(UnsentField, match="no 'size': the provider did not send it") as caught:
        _ = thing.size
    assert isinstance(caught.value, ContractError)  # a service answers 503 naming the provider, as for any breach
    assert (caught.value.service, caught.value.operation, caught.value.field) == ("probe", "get_thing", "size")
    assert getattr(thing, "size", None) is None


async def test_a_nested_field_of_the_wrong_type_is_named_by_its_wire_path(provider, probe) -> None:
    provider.answer(Answer(200, {"things": [THING, {**THING, "size": "heavy"}], "page": 1}))

    with pytest.raises(ContractError) as caught:
        await probe().find_things(name_prefix="k")

    assert caught.value.field == "things.1.size"


async def test_a_body_that_is_not_json_is_a_contract_error(provider, probe) -> None:
    provider.answer(Answer(200, raw=b"<html>hello</html>"))

    with pytest.raises(ContractError, match="not a Thing"):
        await probe().get_thing("t-1")


async def test_a_success_status_the_route_does_not_declare_is_a_contract_error(provider, probe) -> None:
    provider.answer(Answer(200, THING))  # create_thing declares 201

    with pytest.raises(ContractError) as caught:
        await probe().create_thing(NewThing(name="kettlebell", size=16))

    assert caught.value.field == "status"
    assert "declares 201" in str(caught.value)


async def test_an_error_without_the_conventions_error_body_is_a_contract_error(provider, probe) -> None:
    provider.answer(Answer(404, raw=b"<html>Not Found</html>"))

    with pytest.raises(ContractError) as caught:
        await probe().get_thing("t-1")

    assert caught.value.status == 404
    assert "error body" in str(caught.value)


async def test_an_error_code_the_conventions_do_not_know_is_a_contract_error_naming_it(provider, probe) -> None:
    provider.answer(error(410, "GONE"))

    with pytest.raises(ContractError) as caught:
        await probe().get_thing("t-1")

    assert caught.value.field == "error"


async def test_a_gateway_error_without_a_body_is_a_transport_error(provider, probe) -> None:
    provider.answer(Answer(502, raw=b"Bad Gateway"))

    with pytest.raises(ServiceUnavailable) as caught:
        await probe().create_thing(NewThing(name="kettlebell", size=16))

    assert isinstance(caught.value, TransportError)
    assert caught.value.status == 502
