"""One trace follows a booking from the session service to the user, gym and payment services."""

from __future__ import annotations

from pathlib import Path

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from solo60 import tracing
from tests.flows.session.conftest import BOOKING_SERVICES
from tests.flows.session.stack import eventually, stack_of
from tests.flows.session.world import booked, gym, member
from tests.services.communication.smtp_server import SmtpServer


def served_by(spans: list[ReadableSpan], service: str) -> list[ReadableSpan]:
    return [
        span
        for span in spans
        if span.kind is SpanKind.SERVER and span.resource.attributes["service.name"] == f"solo60-{service}"
    ]


async def test_a_booking_is_one_trace_across_session_user_gym_and_payment(smtp: SmtpServer, tmp_path: Path) -> None:
    exporter = InMemorySpanExporter()
    with tracing.exporting_to(exporter):
        async with stack_of(BOOKING_SERVICES, data_dir=tmp_path, smtp=smtp) as stack:
            await gym(stack)
            await member(stack)
            exporter.clear()

            booking = await booked(stack)

            async def payment_served() -> list[ReadableSpan]:
                return served_by(list(exporter.get_finished_spans()), "payment")

            await eventually(payment_served, what="the payment service's span of the debit")

    spans = list(exporter.get_finished_spans())
    [booking_span] = [span for span in served_by(spans, "session") if span.name.startswith("POST /internal/sessions")]
    trace = [span for span in spans if span.context.trace_id == booking_span.context.trace_id]
    by_id = {span.context.span_id: span for span in trace}

    assert booking_span.parent is None  # the gateway's request started the trace
    for service, calls in (("user", 1), ("gym", 2), ("payment", 1)):
        served = served_by(trace, service)
        assert len(served) == calls, f"{service}: {[span.name for span in served]}"
        for span in served:
            assert span.parent is not None
            caller = by_id[span.parent.span_id]
            assert caller.kind is SpanKind.CLIENT
            assert caller.resource.attributes["service.name"] == "solo60-session"
            assert caller.parent is not None
            assert caller.parent.span_id == booking_span.context.span_id
    assert booking["status"] == "CONFIRMED"
