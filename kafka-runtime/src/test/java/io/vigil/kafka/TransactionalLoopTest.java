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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The loop on a real broker: a record that makes the handler throw is dead-lettered, and the loop lives on; each
 * record's processing is a span of the trace its headers carry, and its outputs carry that span on.
 */
class TransactionalLoopTest {

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * Each poll its own transaction; or, one record a poll, the four polls in one transaction, the records before the
     * bad one processed again one at a time with it.
     */
    @ParameterizedTest
    @CsvSource({"0, 10", "2000, 1"})
    void aRecordThatMakesTheHandlerThrowIsDeadLetteredAloneAndTheLoopGoesOn(long commitMillis, int maxPollRecords)
            throws Exception {
        InProcessKafka kafka = InProcessKafka.shared();
        String in = "loop-in-" + commitMillis;
        String outTopic = "loop-out-" + commitMillis;
        String stage = "loop-stage-" + commitMillis;
        kafka.createTopics(List.of(new Topics.TopicSpec(in, 1), new Topics.TopicSpec(outTopic, 1),
                new Topics.TopicSpec(Topics.DEAD_LETTER, 1)));
        // Upper-cases each value; "boom" sends a partial output first, then throws, as a bug would halfway.
        TransactionalLoop.Handler handler = (chunk, out) -> {
            for (ConsumerRecord<String, byte[]> r : chunk) {
                String v = text(r.value());
                out.send(r, new ProducerRecord<>(outTopic, r.key(), (v.equals("boom") ? "partial" : v.toUpperCase())
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
                ProducerRecord<String, byte[]> record = new ProducerRecord<>(in, "k", v.getBytes(StandardCharsets.UTF_8));
                record.headers().add(RecordTracing.TRACEPARENT, traceparent(v).getBytes(StandardCharsets.UTF_8));
                producer.send(record);
            }
            producer.flush();
        }
        LoopGroup group = LoopGroup.start(config, new LoopGroup.Spec("loop-test-" + commitMillis, "i", 1, in, stage, 10,
                maxPollRecords, Duration.ofMillis(100), Duration.ofMillis(commitMillis), handler, "loop-test", new RecordTracing(sdk)));
        try {
            List<String> out = TopicReader.read(kafka.bootstrapServers(), outTopic, r -> true, 3, Duration.ofSeconds(60),
                    Duration.ofSeconds(2)).stream().map(r -> text(r.value())).toList();
            assertEquals(List.of("A", "B", "C"), out, "the others once, the failed record's partial output not at all");
            assertTracedOn(TopicReader.read(kafka.bootstrapServers(), outTopic, r -> true, 3, Duration.ofSeconds(60),
                    Duration.ofSeconds(1)), in, spans);
            List<SpanData> boom = spans.getFinishedSpanItems().stream()
                    .filter(span -> span.getTraceId().equals(traceId("boom"))).toList();
            assertTrue(!boom.isEmpty() && boom.stream().allMatch(span -> span.getStatus().getStatusCode() == StatusCode.ERROR),
                    "the failed record's spans say so: " + boom);

            List<ConsumerRecord<String, byte[]>> dead = TopicReader.read(kafka.bootstrapServers(), Topics.DEAD_LETTER,
                    r -> text(r.headers().lastHeader(DeadLetterHeaders.STAGE).value()).equals(stage), 1,
                    Duration.ofSeconds(30), Duration.ofSeconds(1));
            assertEquals(1, dead.size());
            assertEquals("boom", text(dead.get(0).value()));
            String reason = text(dead.get(0).headers().lastHeader(DeadLetterHeaders.REASON).value());
            assertTrue(reason.contains("invalid header value"), reason);
            assertEquals("ok", group.loops().get(0).state(Duration.ofMinutes(1)));

            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(in, "k", "d".getBytes(StandardCharsets.UTF_8))).get();
            }
            List<String> after = TopicReader.read(kafka.bootstrapServers(), outTopic, r -> true, 4, Duration.ofSeconds(60),
                    Duration.ofSeconds(1)).stream().map(r -> text(r.value())).toList();
            assertEquals(List.of("A", "B", "C", "D"), after, "the loop still runs");
        } finally {
            group.stop(Duration.ofSeconds(30));
            sdk.close();
        }
    }

    /**
     * With a commit interval, polls a second apart are one transaction: their outputs become readable together, once
     * the interval has passed since the first was polled.
     */
    @Test
    void pollsWithinTheCommitIntervalCommitTogether() throws Exception {
        InProcessKafka kafka = InProcessKafka.shared();
        kafka.createTopics(List.of(new Topics.TopicSpec("loop-slow-in", 1), new Topics.TopicSpec("loop-slow-out", 1)));
        TransactionalLoop.Handler handler = (chunk, out) -> chunk.forEach(r -> out.send(r,
                new ProducerRecord<>("loop-slow-out", r.key(), text(r.value()).toUpperCase().getBytes(StandardCharsets.UTF_8))));
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        LoopGroup group = LoopGroup.start(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new LoopGroup.Spec("loop-slow", "i", 1, "loop-slow-in", "loop-slow", 10, 1, Duration.ofMillis(100),
                        Duration.ofSeconds(3), handler, "loop-slow", new RecordTracing(sdk)));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
                KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(c, new StringDeserializer(),
                        new ByteArrayDeserializer())) {
            reader.assign(List.of(new TopicPartition("loop-slow-out", 0)));
            Map<String, Long> seen = new HashMap<>();
            producer.send(new ProducerRecord<>("loop-slow-in", "k", "w".getBytes(StandardCharsets.UTF_8))).get();
            readUntil(reader, seen, "W"); // the loop is assigned and has committed once
            long sentA = System.nanoTime();
            producer.send(new ProducerRecord<>("loop-slow-in", "k", "a".getBytes(StandardCharsets.UTF_8))).get();
            Thread.sleep(1000);
            producer.send(new ProducerRecord<>("loop-slow-in", "k", "b".getBytes(StandardCharsets.UTF_8))).get();
            readUntil(reader, seen, "B");
            assertTrue(seen.containsKey("A"));
            assertTrue(seen.get("A") - sentA >= 2_900_000_000L, "A was readable "
                    + (seen.get("A") - sentA) / 1_000_000 + " ms after a was sent, before the commit interval passed");
            assertTrue(Math.abs(seen.get("B") - seen.get("A")) < 500_000_000L, "a and b polled a second apart committed "
                    + "together; seen " + (seen.get("B") - seen.get("A")) / 1_000_000 + " ms apart");
        } finally {
            group.stop(Duration.ofSeconds(30));
        }
    }

    /**
     * A second instance joining takes partitions from the first while its transaction is open: the first commits it
     * as they are handed over, so the new owner starts after what was processed, and nothing is repeated or lost.
     */
    @Test
    void aTransactionOpenAcrossPollsIsCommittedBeforeARebalanceMovesItsPartitions() throws Exception {
        InProcessKafka kafka = InProcessKafka.shared();
        kafka.createTopics(List.of(new Topics.TopicSpec("loop-rb-in", 4), new Topics.TopicSpec("loop-rb-out", 1)));
        java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        TransactionalLoop.Handler handler = (chunk, out) -> chunk.forEach(r -> {
            threads.add(Thread.currentThread().getName());
            out.send(r, new ProducerRecord<>("loop-rb-out", r.key(), r.value()));
        });
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        java.util.function.Function<String, LoopGroup.Spec> instance = name -> new LoopGroup.Spec("loop-rb", name, 1,
                "loop-rb-in", "loop-rb", 10, 1, Duration.ofMillis(100), Duration.ofSeconds(3), handler, "loop-rb-" + name,
                new RecordTracing(sdk));
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        LoopGroup first = LoopGroup.start(config, instance.apply("a"));
        LoopGroup second = null;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 160; i++) {
                producer.send(new ProducerRecord<>("loop-rb-in", i % 4, "k" + i % 4,
                        Integer.toString(i).getBytes(StandardCharsets.UTF_8))).get();
                if (i == 30) {
                    assertTrue(threads.contains("loop-rb-a-0"), "the first instance is processing");
                    second = LoopGroup.start(config, instance.apply("b"));
                }
                Thread.sleep(60);
            }
            List<String> out = TopicReader.read(kafka.bootstrapServers(), "loop-rb-out", r -> true, 160, Duration.ofSeconds(90),
                    Duration.ofSeconds(5)).stream().map(r -> text(r.value())).sorted().toList();
            assertEquals(java.util.stream.IntStream.range(0, 160).mapToObj(Integer::toString).sorted().toList(), out,
                    "each input's output exactly once");
            assertTrue(threads.contains("loop-rb-b-0"), "the second instance took partitions over: " + threads);
        } finally {
            first.stop(Duration.ofSeconds(30));
            if (second != null) {
                second.stop(Duration.ofSeconds(30));
            }
        }
    }

    /** Reads until {@code value} is there, noting when each value was first readable. */
    private static void readUntil(KafkaConsumer<String, byte[]> reader, Map<String, Long> seen, String value) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!seen.containsKey(value)) {
            assertTrue(System.nanoTime() < deadline, "no " + value + " within 60 s");
            for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(20))) {
                seen.putIfAbsent(text(r.value()), System.nanoTime());
            }
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
    private static void assertTracedOn(List<ConsumerRecord<String, byte[]>> outputs, String in, InMemorySpanExporter spans) {
        for (ConsumerRecord<String, byte[]> r : outputs) {
            String input = text(r.value()).toLowerCase();
            String[] parts = RecordTracing.traceparent(r.headers()).split("-");
            assertEquals(traceId(input), parts[1], "the output of " + input + " is in its input's trace");
            SpanData span = spans.getFinishedSpanItems().stream().filter(s -> s.getSpanId().equals(parts[2])).findFirst()
                    .orElseThrow(() -> new AssertionError("no finished span " + parts[2] + " for " + input));
            assertEquals("process " + in, span.getName());
            assertEquals("00f067aa0ba902b7", span.getParentSpanId(), "the loop's span is the upstream span's child");
            assertEquals("k", span.getAttributes().get(RecordTracing.KEY));
        }
    }
}
