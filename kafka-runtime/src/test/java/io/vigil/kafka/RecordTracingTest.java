package io.vigil.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class RecordTracingTest {

    private static final String UPSTREAM = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    private static Headers carrying(String traceparent) {
        Headers headers = new RecordHeaders();
        headers.add(RecordTracing.TRACEPARENT, traceparent.getBytes(StandardCharsets.UTF_8));
        return headers;
    }

    @Test
    void offRecordsNothingButPassesTheUpstreamTraceOn() {
        Span span = RecordTracing.OFF.process("t", "cam", 0, 7, carrying(UPSTREAM));
        Headers out = RecordTracing.headers(span);
        span.end();
        assertEquals(UPSTREAM, RecordTracing.traceparent(out), "a stage with tracing off does not cut the trace");
        assertFalse(RecordTracing.headers(RecordTracing.OFF.publish("t", "cam")).iterator().hasNext(),
                "no trace is started with tracing off");
        assertEquals("", RecordTracing.traceparent(RecordTracing.headers(RecordTracing.OFF.process("t", "cam", 0, 7,
                new RecordHeaders()))), "an untraced record stays untraced");
        assertEquals("", RecordTracing.traceparent(carrying("00-" + "a".repeat(1_000_000))),
                "a hostile header is not kept");
        assertEquals(UPSTREAM, RecordTracing.traceparent(carrying(UPSTREAM)));
    }

    @Test
    void aProcessSpanIsTheUpstreamSpansChildAndReplacesItInTheOutput() {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        try (OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()).build()) {
            RecordTracing tracing = new RecordTracing(sdk);
            Span span = tracing.process("vigil.frames", "cam", 3, 42, carrying(UPSTREAM));
            Headers forwarded = carrying(UPSTREAM); // a Kafka Streams output starts with its input's headers
            RecordTracing.inject(span, forwarded);
            span.end();

            SpanData data = exporter.getFinishedSpanItems().get(0);
            assertEquals("process vigil.frames", data.getName());
            assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", data.getTraceId());
            assertEquals("00f067aa0ba902b7", data.getParentSpanId());
            assertEquals(42L, data.getAttributes().get(RecordTracing.OFFSET));
            List<String> values = new java.util.ArrayList<>();
            forwarded.headers(RecordTracing.TRACEPARENT).forEach(h -> values.add(new String(h.value(), StandardCharsets.UTF_8)));
            assertEquals(List.of("00-" + data.getTraceId() + "-" + data.getSpanId() + "-01"), values,
                    "one traceparent, this span's");
            assertNotEquals(UPSTREAM, values.get(0));

            Span waited = tracing.span("assemble sequences", values.get(0), 1_000L);
            waited.end();
            SpanData assembly = exporter.getFinishedSpanItems().get(1);
            assertEquals(data.getSpanId(), assembly.getParentSpanId());
            assertEquals(1_000_000_000L, assembly.getStartEpochNanos(), "it starts when the record arrived");
        }
    }
}
