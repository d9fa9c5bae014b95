package io.vigil.kafka;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A frame's trace through the chain: each stage opens a span for each record it processes, a child of the span whose
 * W3C {@code traceparent} the record carries in its headers, and writes its own span's {@code traceparent} into what it
 * sends on. So one frame's trace shows ingest, detection, assembly, scoring and alerting with their times.
 *
 * <p>With the OpenTelemetry SDK off (the default), the tracer is a no-op: no span is recorded, and a record's
 * {@code traceparent} passes through unchanged, so a stage with tracing off does not cut the traces of the others.
 */
public final class RecordTracing {

    /** The W3C Trace Context header, as Kafka record headers carry it. */
    public static final String TRACEPARENT = "traceparent";

    static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("messaging.operation.type");
    static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    static final AttributeKey<String> KEY = AttributeKey.stringKey("messaging.kafka.message.key");
    static final AttributeKey<Long> PARTITION = AttributeKey.longKey("messaging.destination.partition.id");
    static final AttributeKey<Long> OFFSET = AttributeKey.longKey("messaging.kafka.offset");
    static final AttributeKey<Long> BATCH = AttributeKey.longKey("messaging.batch.message_count");
    /** The frame a span is about, where the stage reads it. */
    public static final AttributeKey<Long> FRAME_INDEX = AttributeKey.longKey("vigil.frame_index");
    public static final AttributeKey<Long> OBJECTS = AttributeKey.longKey("vigil.objects");

    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

    private static final TextMapGetter<Headers> FROM_HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers headers) {
            return StreamSupport.stream(headers.spliterator(), false).map(Header::key).toList();
        }

        @Override
        public String get(Headers headers, String key) {
            Header h = headers == null ? null : headers.lastHeader(key);
            return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
        }
    };

    private static final TextMapSetter<Headers> TO_HEADERS = (headers, key, value) -> {
        headers.remove(key); // a forwarded record keeps its input's headers: ours replaces the upstream one
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    };

    /** Tracing off: spans are not recorded, {@code traceparent} passes through. */
    public static final RecordTracing OFF = new RecordTracing(OpenTelemetry.noop());

    private final Tracer tracer;

    public RecordTracing(OpenTelemetry openTelemetry) {
        this.tracer = openTelemetry.getTracer("io.vigil");
    }

    /**
     * A span for processing one record of {@code topic}, started now, the child of the span its headers name (a
     * record without one starts a trace). End it, and write it into the outputs with {@link #inject}.
     */
    public Span process(String topic, String key, int partition, long offset, Headers headers) {
        return tracer.spanBuilder("process " + topic).setSpanKind(SpanKind.CONSUMER).setParent(parent(headers))
                .setAttribute(SYSTEM, "kafka").setAttribute(OPERATION, "process").setAttribute(DESTINATION, topic)
                .setAttribute(KEY, key == null ? "" : key).setAttribute(PARTITION, (long) partition)
                .setAttribute(OFFSET, offset).startSpan();
    }

    /** A span of a stage's own work for a record ({@code name}), child of {@code traceparent} ("" or null: a new trace). */
    public Span span(String name, String traceparent, long startEpochMs) {
        return tracer.spanBuilder(name).setSpanKind(SpanKind.INTERNAL).setParent(parent(traceparent))
                .setStartTimestamp(startEpochMs, TimeUnit.MILLISECONDS).startSpan();
    }

    /** A span for sending a record to {@code topic} that starts a trace, started now. */
    public Span publish(String topic, String key) {
        return tracer.spanBuilder("publish " + topic).setSpanKind(SpanKind.PRODUCER).setNoParent()
                .setAttribute(SYSTEM, "kafka").setAttribute(OPERATION, "publish").setAttribute(DESTINATION, topic)
                .setAttribute(KEY, key == null ? "" : key).startSpan();
    }

    /** Ends the spans of a batch processed together, with its size; failed with {@code error} when it is not null. */
    public static void endAll(List<Span> spans, RuntimeException error) {
        for (Span span : spans) {
            span.setAttribute(BATCH, (long) spans.size());
            if (error != null) {
                span.recordException(error);
                span.setStatus(StatusCode.ERROR, error.getClass().getSimpleName());
            }
            span.end();
        }
    }

    /** Writes {@code span}'s context into {@code headers} (replacing a {@code traceparent} there); nothing for an invalid one. */
    public static void inject(Span span, Headers headers) {
        if (span.getSpanContext().isValid()) {
            W3C.inject(Context.root().with(span), headers, TO_HEADERS);
        }
    }

    /** New headers carrying {@code span}'s context. */
    public static Headers headers(Span span) {
        Headers headers = new RecordHeaders();
        inject(span, headers);
        return headers;
    }

    /**
     * The {@code traceparent} in {@code headers}, or "" for none or one that is not a W3C version-00 value: a stage
     * that keeps it (the assembler, with its pending detections) keeps at most 55 characters of what a producer sent.
     */
    public static String traceparent(Headers headers) {
        String value = FROM_HEADERS.get(headers, TRACEPARENT);
        return value == null || value.length() != TRACEPARENT_LENGTH ? "" : value;
    }

    /** "00-" + 32 hex trace id + "-" + 16 hex span id + "-" + 2 hex flags. */
    private static final int TRACEPARENT_LENGTH = 55;

    private static Context parent(Headers headers) {
        return headers == null ? Context.root() : W3C.extract(Context.root(), headers, FROM_HEADERS);
    }

    private static Context parent(String traceparent) {
        if (traceparent == null || traceparent.isEmpty()) {
            return Context.root();
        }
        Headers one = new RecordHeaders();
        one.add(TRACEPARENT, traceparent.getBytes(StandardCharsets.UTF_8));
        return parent(one);
    }
}
