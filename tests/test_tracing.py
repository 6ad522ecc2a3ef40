"""OpenTelemetry: one trace follows a call through every service; spans leave over OTLP when configured."""

from __future__ import annotations

import asyncio
import itertools
import re

import httpx
from fastapi import FastAPI
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from solo60 import tracing
from solo60.clients import ClientConfig
from solo60.services.kit.server import running_services
from tests.clients.probe import THING, ProbeClient
from tests.clients.relay import RelayClient, relay_chain
from tests.clients.scripted import Answer, ScriptedProvider, serving

TRACEPARENT = re.compile(r"^00-(?P<trace>[0-9a-f]{32})-[0-9a-f]{16}-(?P<flags>[0-9a-f]{2})$")


async def finished_spans(exporter: InMemorySpanExporter, count: int) -> list[ReadableSpan]:
    """Server spans end just after their response is sent, so wait (briefly, boundedly) for the last ones."""
    for _ in range(100):
        spans = [span for span in exporter.get_finished_spans() if span.kind in (SpanKind.CLIENT, SpanKind.SERVER)]
        if len(spans) >= count:
            return spans
        await asyncio.sleep(0.01)
    raise AssertionError(f"expected {count} spans, got {[span.name for span in exporter.get_finished_spans()]}")


def the_span(spans: list[ReadableSpan], service: str, kind: SpanKind) -> ReadableSpan:
    [span] = [s for s in spans if s.kind is kind and s.resource.attributes["service.name"] == f"solo60-{service}"]
    return span


async def test_one_trace_spans_three_services_with_each_hop_a_child_of_the_last(tmp_path) -> None:
    exporter = InMemorySpanExporter()
    environ = {"SOLO60_DATA_DIR": str(tmp_path), "SOLO60_ENV": "test"}
    with tracing.exporting_to(exporter), running_services(["user"], environ=environ) as services:
        async with (
            relay_chain(services["user"].url) as front_url,
            RelayClient(ClientConfig(front_url, caller="edge")) as front,
        ):
            await front.relay("nobody")
        spans = await finished_spans(exporter, 6)

    edge_call = the_span(spans, "edge", SpanKind.CLIENT)
    front_served = the_span(spans, "front", SpanKind.SERVER)
    front_call = the_span(spans, "front", SpanKind.CLIENT)
    middle_served = the_span(spans, "middle", SpanKind.SERVER)
    middle_call = the_span(spans, "middle", SpanKind.CLIENT)
    user_served = the_span(spans, "user", SpanKind.SERVER)
    chain = [edge_call, front_served, front_call, middle_served, middle_call, user_served]

    assert len({span.context.trace_id for span in spans}) == 1
    assert edge_call.parent is None
    for parent, child in itertools.pairwise(chain):
        assert child.parent is not None, child.name
        assert child.parent.span_id == parent.context.span_id, f"{child.name} is not a child of {parent.name}"
    assert user_served.attributes is not None
    assert 404 in (
        user_served.attributes.get("http.status_code"),
        user_served.attributes.get("http.response.status_code"),
    )


async def test_every_call_carries_a_w3c_traceparent_when_tracing_is_on() -> None:
    provider = ScriptedProvider()
    provider.default = Answer(200, THING)
    with tracing.exporting_to(InMemorySpanExporter()):
        async with serving(provider) as url, ProbeClient(ClientConfig(url, caller="tests")) as client:
            await client.get_thing("t-1")
            await client.get_thing("t-1")

    first, second = (TRACEPARENT.match(request.headers["traceparent"]) for request in provider.received)
    assert first is not None
    assert second is not None
    assert int(first["flags"], 16) & 1  # sampled, so the provider records its side too
    assert first["trace"] != second["trace"]  # two calls outside any span: two traces


async def test_without_an_exporter_apps_and_clients_are_left_as_they_are() -> None:
    provider = ScriptedProvider()
    provider.default = Answer(200, THING)

    assert tracing.tracer_provider("quiet", environ={}) is None
    assert tracing.instrument_app(FastAPI(), "quiet", environ={}) is False
    async with serving(provider) as url, ProbeClient(ClientConfig(url, caller="quiet")) as client:
        await client.get_thing("t-1")

    assert "traceparent" not in provider.received[0].headers


async def test_spans_are_exported_over_otlp_http_to_the_configured_endpoint() -> None:
    collector = ScriptedProvider()
    app = FastAPI()

    @app.get("/internal/ping")
    async def ping() -> dict[str, bool]:
        return {"ok": True}

    async with serving(collector) as collector_url:
        environ = {"OTEL_EXPORTER_OTLP_ENDPOINT": collector_url}
        assert tracing.instrument_app(app, "otlp-demo", environ=environ)
        async with serving(app) as url, httpx.AsyncClient(base_url=url) as client:
            assert (await client.get("/internal/ping")).status_code == 200
        provider = tracing.tracer_provider("otlp-demo", environ=environ)
        assert provider is not None
        assert await asyncio.to_thread(provider.force_flush)

    [export] = collector.received
    assert (export.method, export.path) == ("POST", "/v1/traces")
    request = ExportTraceServiceRequest.FromString(export.body)
    [resource_spans] = request.resource_spans
    service_names = [a.value.string_value for a in resource_spans.resource.attributes if a.key == "service.name"]
    assert service_names == ["solo60-otlp-demo"]
    assert any(
        span.name.startswith("GET /internal/ping") for scope in resource_spans.scope_spans for span in scope.spans
    )
