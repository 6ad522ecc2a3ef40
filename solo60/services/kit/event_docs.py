"""`/internal/events`: a producing service's AsyncAPI document, and that document rendered as a page.

Rendered on the server from the document itself (no script, no CDN), beside the OpenAPI docs
at `/internal/docs`, under the same Content-Security-Policy.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from solo60.services.kit.docs import CONTENT_SECURITY_POLICY

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #1b1b1b; }
h2 { border-top: 1px solid #ccc; padding-top: 1rem; font-family: monospace; }
table { border-collapse: collapse; width: 100%; }
td, th { border: 1px solid #ddd; padding: .3rem .5rem; text-align: left; }
th { background: #f4f4f4; } code { background: #f4f4f4; padding: 0 .2rem; }
"""


def event_docs_routes(document: dict[str, Any]) -> list[BaseRoute]:
    rendered = json.dumps(document).encode()
    page = render(document)

    async def asyncapi(_request: Request) -> Response:
        return Response(rendered, media_type="application/json")

    async def events(_request: Request) -> Response:
        return HTMLResponse(page, headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY})

    return [
        Route("/internal/asyncapi.json", asyncapi, methods=["GET"], include_in_schema=False),
        Route("/internal/events", events, methods=["GET"], include_in_schema=False),
    ]


def render(document: dict[str, Any]) -> str:
    """The document as one HTML page: each event's routing key, summary, version and payload fields."""
    schemas = document["components"]["schemas"]
    info = document["info"]
    parts = [
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{escape(info['title'])}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>{escape(info['title'])}</h1><p>{escape(info['description'])}</p>",
        "<p>AsyncAPI document: <a href='asyncapi.json'>asyncapi.json</a> · HTTP API: <a href='docs'>docs</a></p>",
    ]
    for name, message in document["components"]["messages"].items():
        channel = document["channels"][name]
        exchange = channel["bindings"]["amqp"]["exchange"]["name"]
        parts.append(f"<h2 id='{escape(name)}'>{escape(name)}</h2>")
        parts.append(
            f"<p>{escape(message['summary'])}</p><p>Version {message['x-event-version']} · routing key "
            f"<code>{escape(channel['address'])}</code> on exchange <code>{escape(exchange)}</code></p>"
        )
        schema = _resolved(message["payload"], schemas)
        parts.append("<table><tr><th>field</th><th>type</th><th>required</th><th>description</th></tr>")
        parts += [_row(*field) for field in _fields(schema, schemas, "")]
        parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts)


def _resolved(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    reference = schema.get("$ref")
    return schemas[reference.rsplit("/", 1)[-1]] if reference else schema


def _fields(schema: dict[str, Any], schemas: dict[str, Any], prefix: str) -> list[tuple[str, str, bool, str]]:
    """`(path, type, required, description)` of every field, nested objects and list items flattened."""
    rows = []
    required = set(schema.get("required", []))
    for name, spec in schema.get("properties", {}).items():
        path = f"{prefix}{name}"
        resolved = _resolved(spec, schemas)
        kind = _type(spec, schemas)
        rows.append((path, kind, name in required, spec.get("description") or resolved.get("description", "")))
        if "properties" in resolved:
            rows += _fields(resolved, schemas, f"{path}.")
        elif resolved.get("type") == "array":
            items = _resolved(resolved.get("items", {}), schemas)
            if "properties" in items:
                rows += _fields(items, schemas, f"{path}[].")
    return rows


def _type(spec: dict[str, Any], schemas: dict[str, Any]) -> str:
    if "$ref" in spec:
        return spec["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in spec:
        return " or ".join(_type(option, schemas) for option in spec["anyOf"])
    kind = str(spec.get("type", "any"))
    if kind == "array":
        return f"list of {_type(spec.get('items', {}), schemas)}"
    if spec.get("format"):
        return f"{kind} ({spec['format']})"
    if spec.get("enum"):
        return " | ".join(map(str, spec["enum"]))
    return kind


def _row(path: str, kind: str, required: bool, description: str) -> str:
    return (
        f"<tr><td><code>{escape(path)}</code></td><td>{escape(kind)}</td>"
        f"<td>{'yes' if required else 'no'}</td><td>{escape(description)}</td></tr>"
    )
