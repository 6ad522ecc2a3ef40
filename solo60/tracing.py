"""OpenTelemetry for the services and their clients: server spans, client spans, W3C trace context.

Tracing is on when an exporter is configured, the seed's monitoring section made concrete:

| variable | effect |
| --- | --- |
| `OTEL_EXPORTER_OTLP_ENDPOINT` | export spans over OTLP/HTTP to `<endpoint>/v1/traces` |
| `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` | the same, to this exact URL |
| `OTEL_TRACES_EXPORTER` | `otlp` (default with an endpoint; alone: `localhost:4318`), `console`, or `none` |
| `OTEL_SDK_DISABLED` | `true` turns tracing off whatever else is set |

With none of them, apps and clients are left uninstrumented and pay nothing per request.
Tests and scripts choose an exporter in code with `exporting_to(exporter)`.

Each service gets its own tracer provider whose resource names it (`service.name=solo60-user`),
so the spans of several services running in one process (tests, `solo60 services up`) stay
apart. The FastAPI instrumentation makes a server span per request from the caller's
`traceparent`; the httpx instrumentation makes a client span per attempt and sends
`traceparent` on, so one trace follows a request through every hop.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx
    from fastapi import FastAPI
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter

_UNTRACED_PATHS = "/health,/ready"
_TRUE = {"1", "true", "yes", "on"}


@dataclass
class _Exporting:
    """One exporter and the tracer provider of each service that sends spans to it."""

    exporter: SpanExporter
    batch: bool
    providers: dict[str, TracerProvider] = field(default_factory=dict)

    def provider(self, service: str) -> TracerProvider:
        if service not in self.providers:
            from opentelemetry.sdk.resources import SERVICE_NAME, Resource
            from opentelemetry.sdk.trace import TracerProvider
            from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

            provider = TracerProvider(resource=Resource.create({SERVICE_NAME: f"solo60-{service}"}))
            processor = BatchSpanProcessor(self.exporter) if self.batch else SimpleSpanProcessor(self.exporter)
            provider.add_span_processor(processor)
            self.providers[service] = provider
        return self.providers[service]

    def shutdown(self) -> None:
        for provider in self.providers.values():
            provider.shutdown()


_chosen_in_code: _Exporting | None = None
_from_environment: dict[tuple[str, str], _Exporting] = {}


@contextmanager
def exporting_to(exporter: SpanExporter) -> Iterator[None]:
    """Trace every app and client set up inside the block into `exporter`, span by span (tests, scripts)."""
    global _chosen_in_code
    previous, _chosen_in_code = _chosen_in_code, _Exporting(exporter, batch=False)
    try:
        yield
    finally:
        exporting, _chosen_in_code = _chosen_in_code, previous
        exporting.shutdown()


def tracer_provider(service: str, environ: Mapping[str, str] | None = None) -> TracerProvider | None:
    """The tracer provider of `service`, or None when no exporter is configured (tracing off)."""
    if _chosen_in_code is not None:
        return _chosen_in_code.provider(service)
    exporting = _exporting_from(os.environ if environ is None else environ)
    return exporting.provider(service) if exporting is not None else None


def instrument_app(app: FastAPI, service: str, environ: Mapping[str, str] | None = None) -> bool:
    """Server spans for every request of `app`, continuing the caller's trace; False when tracing is off."""
    provider = tracer_provider(service, environ)
    if provider is None:
        return False
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=provider, excluded_urls=_UNTRACED_PATHS, exclude_spans=["receive", "send"]
    )
    return True


def instrument_client(client: httpx.AsyncClient, service: str, environ: Mapping[str, str] | None = None) -> bool:
    """Client spans and `traceparent` on every request `client` sends for `service`; False when tracing is off."""
    provider = tracer_provider(service, environ)
    if provider is None:
        return False
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    HTTPXClientInstrumentor.instrument_client(client, tracer_provider=provider)
    return True


def _exporting_from(env: Mapping[str, str]) -> _Exporting | None:
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() in _TRUE:
        return None
    kind = env.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    endpoint = env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "").strip()
    if not endpoint and env.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip():
        endpoint = env["OTEL_EXPORTER_OTLP_ENDPOINT"].strip().rstrip("/") + "/v1/traces"
    if kind in ("", "otlp") and (endpoint or kind == "otlp"):
        key = ("otlp", endpoint)
    elif kind == "console":
        key = ("console", "")
    else:
        return None
    if key not in _from_environment:
        _from_environment[key] = _Exporting(_new_exporter(*key), batch=True)
    return _from_environment[key]


def _new_exporter(kind: str, endpoint: str) -> SpanExporter:
    if kind == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter(endpoint=endpoint or None)
