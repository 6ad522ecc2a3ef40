"""A small contract for exercising the client runtime: one route of each kind a client must handle."""

from __future__ import annotations

from pydantic import Field

from solo60.contracts.errors import ErrorCode
from solo60.contracts.models import Id, Name, QueryModel, RequestModel, ResponseModel
from solo60.contracts.route import Contract, Route
from tests.clients.generated import client_for


class Thing(ResponseModel):
    id: Id
    name: str
    size: int


class ThingList(ResponseModel):
    things: list[Thing]
    page: int


class NewThing(RequestModel):
    name: Name
    size: int = Field(ge=0)
    fragile: bool = False


class ThingQuery(QueryModel):
    name_prefix: str
    page: int = Field(default=1, ge=1)
    tags: list[str] = Field(default_factory=list)


class ProbeContract(Contract):
    service = "probe"
    title = "probe service (tests)"

    get_thing = Route(
        "GET",
        "/internal/things/{thingId}",
        summary="Read a thing",
        responses={200: Thing},
        errors=[ErrorCode.NOT_FOUND],
    )
    find_things = Route("GET", "/internal/things", summary="Find things", query=ThingQuery, responses={200: ThingList})
    create_thing = Route("POST", "/internal/things", summary="Make a thing", body=NewThing, responses={201: Thing})
    buy_thing = Route(
        "POST",
        "/internal/things/purchases",
        summary="Buy a thing",
        body=NewThing,
        responses={200: Thing, 201: Thing},
        idempotency_key=True,
    )
    delete_thing = Route("DELETE", "/internal/things/{thingId}", summary="Delete a thing", responses={204: None})


THING = {"id": "t-1", "name": "kettlebell", "size": 16}

ProbeClient = client_for(ProbeContract)
