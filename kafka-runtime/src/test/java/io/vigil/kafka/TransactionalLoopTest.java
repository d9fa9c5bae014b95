package io.vigil.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vigil.proto.DeadLetterHeaders;
import io.vigil.proto.Topics;
import io.vigil.testkit.InProcessKafka;
import io.vigil.testkit.TopicReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The loop on a real broker: a record that makes the handler throw is dead-lettered, and the loop lives on; each
 * record's processing is a span of the trace its headers carry, and its outputs carry that span on.
 */
class TransactionalLoopTest {

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void aRecordThatMakesTheHandlerThrowIsDeadLetteredAloneAndTheLoopGoesOn() throws Exception {
        InProcessKafka kafka = InProcessKafka.shared();
        kafka.createTopics(List.of(new Topics.TopicSpec("loop-in", 1), new Topics.TopicSpec("loop-out", 1),
                new Topics.TopicSpec(Topics.DEAD_LETTER, 1)));
        // Upper-cases each value; "boom" sends a partial output first, then throws, as a bug would halfway.
        TransactionalLoop.Handler handler = (chunk, out) -> {
            for (ConsumerRecord<String, byte[]> r : chunk) {
                String v = text(r.value());
                out.send(r, new ProducerRecord<>("loop-out", r.key(), (v.equals("boom") ? "partial" : v.toUpperCase())
                        .getBytes(StandardCharsets.UTF_8)));
                if (v.equals("boom")) {
                    throw new IllegalArgumentException("invalid header value");
                }
            }
        };
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (String v : new String[] {"a", "b", "boom", "c"}) {
                ProducerRecord<String, byte[]> in = new ProducerRecord<>("loop-in", "k", v.getBytes(StandardCharsets.UTF_8));
                in.headers().add(RecordTracing.TRACEPARENT, traceparent(v).getBytes(StandardCharsets.UTF_8));
                producer.send(in);
            }
            producer.flush();
        }
        LoopGroup group = LoopGroup.start(config, new LoopGroup.Spec("loop-test", "i", 1, "loop-in", "loop-stage", 10, 10,
                Duration.ofMillis(100), handler, "loop-test", new RecordTracing(sdk)));
        try {
            List<String> out = TopicReader.read(kafka.bootstrapServers(), "loop-out", r -> true, 3, Duration.ofSeconds(60),
                    Duration.ofSeconds(2)).stream().map(r -> text(r.value())).toList();
            assertEquals(List.of("A", "B", "C"), out, "the others once, the failed record's partial output not at all");
            assertTracedOn(TopicReader.read(kafka.bootstrapServers(), "loop-out", r -> true, 3, Duration.ofSeconds(60),
                    Duration.ofSeconds(1)), spans);
            List<SpanData> boom = spans.getFinishedSpanItems().stream()
                    .filter(span -> span.getTraceId().equals(traceId("boom"))).toList();
            assertTrue(!boom.isEmpty() && boom.stream().allMatch(span -> span.getStatus().getStatusCode() == StatusCode.ERROR),
                    "the failed record's spans say so: " + boom);

            List<ConsumerRecord<String, byte[]>> dead = TopicReader.read(kafka.bootstrapServers(), Topics.DEAD_LETTER,
                    r -> text(r.headers().lastHeader(DeadLetterHeaders.STAGE).value()).equals("loop-stage"), 1,
                    Duration.ofSeconds(30), Duration.ofSeconds(1));
            assertEquals(1, dead.size());
            assertEquals("boom", text(dead.get(0).value()));
            String reason = text(dead.get(0).headers().lastHeader(DeadLetterHeaders.REASON).value());
            assertTrue(reason.contains("invalid header value"), reason);
            assertEquals("ok", group.loops().get(0).state(Duration.ofMinutes(1)));

            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>("loop-in", "k", "d".getBytes(StandardCharsets.UTF_8))).get();
            }
            List<String> after = TopicReader.read(kafka.bootstrapServers(), "loop-out", r -> true, 4, Duration.ofSeconds(60),
                    Duration.ofSeconds(1)).stream().map(r -> text(r.value())).toList();
            assertEquals(List.of("A", "B", "C", "D"), after, "the loop still runs");
        } finally {
            group.stop(Duration.ofSeconds(30));
            sdk.close();
        }
    }

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(spans)).build()).build();

    /** A trace of its own for each input value, its upstream span id 00f067aa0ba902b7. */
    private static String traceparent(String value) {
        return "00-" + traceId(value) + "-00f067aa0ba902b7-01";
    }

    private static String traceId(String value) {
        return String.format("%032x", value.hashCode() & 0xffffffffL);
    }

    /** Each output continues its input's trace from the loop's span of that input, itself a child of the upstream span. */
    private static void assertTracedOn(List<ConsumerRecord<String, byte[]>> outputs, InMemorySpanExporter spans) {
        for (ConsumerRecord<String, byte[]> r : outputs) {
            String input = text(r.value()).toLowerCase();
            String[] parts = RecordTracing.traceparent(r.headers()).split("-");
            assertEquals(traceId(input), parts[1], "the output of " + input + " is in its input's trace");
            SpanData span = spans.getFinishedSpanItems().stream().filter(s -> s.getSpanId().equals(parts[2])).findFirst()
                    .orElseThrow(() -> new AssertionError("no finished span " + parts[2] + " for " + input));
            assertEquals("process loop-in", span.getName());
            assertEquals("00f067aa0ba902b7", span.getParentSpanId(), "the loop's span is the upstream span's child");
            assertEquals("k", span.getAttributes().get(RecordTracing.KEY));
        }
    }
}
