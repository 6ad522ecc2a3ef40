"""An AsyncAPI 3 document per producing service, generated from its event contracts.

What the OpenAPI document is to a service's routes, this is to its events: one channel per
event (its address is the routing key on the `solo60.events` topic exchange), one `send`
operation per channel, the message with its payload schema (the contract's pydantic model,
as serialized on the wire) and the envelope's headers, and the correlation id's location.
"""

from __future__ import annotations

from typing import Any

from solo60.contracts.events.catalogue import events_of
from solo60.contracts.events.envelope import EventContract

ASYNCAPI_VERSION = "3.0.0"
EXCHANGE = "solo60.events"
REF_TEMPLATE = "#/components/schemas/{model}"

HEADERS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "The envelope around the payload: AMQP headers (the message id, correlation id and type are "
    "the message's own properties).",
    "required": ["eventName", "eventVersion", "producer", "occurredAt"],
    "properties": {
        "eventName": {"type": "string", "description": "The event's name, also its routing key."},
        "eventVersion": {
            "type": "string",
            "description": "The payload's version; changes only when it breaks readers.",
        },
        "producer": {"type": "string", "description": "The service that published it."},
        "occurredAt": {"type": "string", "format": "date-time"},
        "traceparent": {"type": "string", "description": "W3C trace context of the request that caused it."},
    },
}


def asyncapi_document(service: str) -> dict[str, Any]:
    """The document of the events `service` publishes; a service that publishes none has none (KeyError)."""
    contracts = events_of(service)
    if not contracts:
        raise KeyError(f"the {service} service publishes no events")
    schemas: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for contract in contracts:
        schema = contract.payload.model_json_schema(by_alias=True, mode="serialization", ref_template=REF_TEMPLATE)
        schemas.update(schema.pop("$defs", {}))
        schemas[contract.payload.__name__] = schema
        messages[contract.name] = _message(contract)
        channels[contract.name] = {
            "address": contract.routing_key,
            "title": contract.name,
            "description": contract.summary,
            "messages": {contract.name: {"$ref": f"#/components/messages/{contract.name}"}},
            "bindings": {
                "amqp": {
                    "is": "routingKey",
                    "exchange": {"name": EXCHANGE, "type": "topic", "durable": True, "autoDelete": False, "vhost": "/"},
                    "bindingVersion": "0.3.0",
                }
            },
        }
        operations[f"publish.{contract.name}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{contract.name}"},
            "summary": contract.summary,
            "messages": [{"$ref": f"#/channels/{contract.name}/messages/{contract.name}"}],
            "bindings": {"amqp": {"deliveryMode": 2, "mandatory": True, "bindingVersion": "0.3.0"}},
        }
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": f"Solo60 {service} service events",
            "version": "1.0.0",
            "description": f"The domain events the {service} service publishes through its transactional outbox, "
            "delivered at least once: consumers drop duplicates by message id.",
        },
        "defaultContentType": "application/json",
        "servers": {
            "rabbitmq": {
                "host": "127.0.0.1:5672",
                "protocol": "amqp",
                "protocolVersion": "0.9.1",
                "description": "The broker at SOLO60_AMQP_URL (without it, the services share an in-process bus).",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def _message(contract: EventContract[Any]) -> dict[str, Any]:
    return {
        "name": contract.name,
        "title": contract.name,
        "summary": contract.summary,
        "contentType": "application/json",
        "headers": HEADERS_SCHEMA,
        "payload": {"$ref": REF_TEMPLATE.format(model=contract.payload.__name__)},
        "correlationId": {
            "description": "The request that caused the event",
            "location": "$message.header#/correlation_id",
        },
        "bindings": {"amqp": {"messageType": contract.name, "bindingVersion": "0.3.0"}},
        "x-event-version": contract.version,
    }
